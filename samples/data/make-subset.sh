#!/usr/bin/env bash
# Writes the Fashion-MNIST subset in this folder: the first TRAIN_COUNT training and the first
# TEST_COUNT test images and labels of the full IDX files, still IDX, gzip-compressed.
#
#   samples/data/make-subset.sh [SOURCE_DIR] [TRAIN_COUNT] [TEST_COUNT]
#
# SOURCE_DIR defaults to /usr/share/datasets/fashion-mnist (Debian/Ubuntu package
# dataset-fashion-mnist), which holds the four original files from
# https://github.com/zalandoresearch/fashion-mnist. `gzip -n` leaves out the name and timestamp,
# so the same input gives byte-identical output.
set -eu  # no pipefail: `head` closes the pipe early on purpose; sizes are checked below

source_dir=${1:-/usr/share/datasets/fashion-mnist}
train_count=${2:-6000}
test_count=${3:-2000}
out_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# A big-endian int32, as the IDX header stores every number.
be32() { printf "\\x$(printf %02x $(($1 >> 24 & 255)))\\x$(printf %02x $(($1 >> 16 & 255)))\\x$(printf %02x $(($1 >> 8 & 255)))\\x$(printf %02x $(($1 & 255)))"; }

# subset PREFIX COUNT: images are magic 0x00000803, N, 28, 28 (16 bytes) then N·784 bytes;
# labels are magic 0x00000801, N (8 bytes) then N bytes.
subset() {
    local prefix=$1 count=$2
    { be32 $((0x00000803)); be32 "$count"; be32 28; be32 28
      gzip -dc "$source_dir/$prefix-images-idx3-ubyte.gz" | tail -c +17 | head -c $((count * 784)); } \
        | gzip -9 -n > "$out_dir/$prefix-images-idx3-ubyte.gz"
    { be32 $((0x00000801)); be32 "$count"
      gzip -dc "$source_dir/$prefix-labels-idx1-ubyte.gz" | tail -c +9 | head -c "$count"; } \
        | gzip -9 -n > "$out_dir/$prefix-labels-idx1-ubyte.gz"
    check "$out_dir/$prefix-images-idx3-ubyte.gz" $((16 + count * 784))
    check "$out_dir/$prefix-labels-idx1-ubyte.gz" $((8 + count))
}

# check FILE BYTES: the decompressed file has exactly BYTES bytes (the source held enough samples).
check() {
    local actual
    actual=$(gzip -dc "$1" | wc -c)
    if [ "$actual" -ne "$2" ]; then
        echo "error: $1 decompresses to $actual bytes, expected $2 (does the source hold that many samples?)" >&2
        exit 1
    fi
}

subset train "$train_count"
subset t10k "$test_count"

# Class balance of the labels just written (classes 0-9, one count each).
for prefix in train t10k; do
    echo "$prefix labels per class:" \
        $(gzip -dc "$out_dir/$prefix-labels-idx1-ubyte.gz" | tail -c +9 | od -An -v -tu1 -w1 | sort -n | uniq -c | awk '{print $2 ":" $1}')
done
ls -l "$out_dir"/*.gz
