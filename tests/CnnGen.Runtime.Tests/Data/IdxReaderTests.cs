using CnnGen.Runtime.Data;

namespace CnnGen.Runtime.Tests.Data;

public sealed class IdxReaderTests : IDisposable
{
    private readonly IdxFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static byte Pixel(int index) => (byte)(index * 7 % 256);

    [Theory]
    [InlineData(false, "images-idx3-ubyte")]
    [InlineData(true, "images-idx3-ubyte.gz")]
    [InlineData(true, "compressed-without-extension")]
    [InlineData(false, "plain-despite-extension.gz")]
    public void Images_read_the_same_plain_or_gzip_whatever_the_name(bool compress, string name)
    {
        byte[] content = IdxFiles.Images(count: 3, rows: 4, columns: 5, Pixel);
        string path = _files.Write(name, compress ? IdxFiles.Gzip(content) : content);

        IdxImages images = IdxReader.ReadImages(path);

        Assert.Equal((3, 4, 5), (images.Count, images.Rows, images.Columns));
        Assert.Equal(Enumerable.Range(0, 60).Select(Pixel), images.Pixels);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Labels_read_plain_or_gzip(bool compress)
    {
        byte[] content = IdxFiles.Labels(3, 0, 9, 1);
        string path = _files.Write("labels", compress ? IdxFiles.Gzip(content) : content);

        Assert.Equal([3, 0, 9, 1], IdxReader.ReadLabels(path));
    }

    [Fact]
    public void Empty_files_of_zero_images_are_valid()
    {
        string path = _files.Write("empty", IdxFiles.Images(0, 28, 28, Pixel));
        IdxImages images = IdxReader.ReadImages(path);
        Assert.Equal((0, 28, 28, 0), (images.Count, images.Rows, images.Columns, images.Pixels.Length));
    }

    [Fact]
    public void A_label_file_read_as_images_names_the_file_and_both_magic_numbers()
    {
        string path = _files.Write("labels-as-images", IdxFiles.Labels(1, 2));

        var exception = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, exception.Message);
        Assert.Contains("bad magic number 0x00000801 (a label file)", exception.Message);
        Assert.Contains("expected 0x00000803 for images", exception.Message);
    }

    [Fact]
    public void An_image_file_read_as_labels_is_refused()
    {
        string path = _files.Write("images-as-labels", IdxFiles.Images(1, 2, 2, Pixel));

        var exception = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path));

        Assert.Contains("bad magic number 0x00000803 (an image file)", exception.Message);
        Assert.Contains("expected 0x00000801 for labels", exception.Message);
    }

    [Fact]
    public void A_file_that_is_not_IDX_at_all_is_a_bad_magic_number()
    {
        string path = _files.Write("picture.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0, 0, 0, 0, 0]);

        var exception = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, exception.Message);
        Assert.Contains("bad magic number 0x89504E47", exception.Message);
        Assert.Contains("two zero bytes", exception.Message);
    }

    [Fact]
    public void An_unsupported_data_type_byte_is_named()
    {
        // 0x0D = float32, 3 dimensions: a valid IDX file, but not of bytes.
        string path = _files.Write("float-images", IdxFiles.Build(0x00000D03, [1, 1, 1], [0, 0, 0, 0]));

        var exception = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, exception.Message);
        Assert.Contains("unsupported data type byte 0x0D (float32)", exception.Message);
        Assert.Contains("only 0x08 (unsigned byte)", exception.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Truncated_pixel_data_reports_expected_and_actual_bytes(bool compress)
    {
        // The header declares 3 × 4 × 4 = 48 bytes; 40 follow.
        byte[] content = IdxFiles.Images(3, 4, 4, Pixel)[..^8];
        string path = _files.Write("truncated", compress ? IdxFiles.Gzip(content) : content);

        var exception = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, exception.Message);
        Assert.Contains("truncated", exception.Message);
        Assert.Contains("3 × 4 × 4 = 48 bytes of images", exception.Message);
        Assert.Contains("only 40 bytes follow the 16-byte header", exception.Message);
    }

    [Fact]
    public void Truncated_headers_are_reported()
    {
        string shortMagic = _files.Write("two-bytes", [0, 0]);
        string shortSizes = _files.Write("short-sizes", IdxFiles.Images(1, 2, 2, Pixel)[..10]);

        var magic = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(shortMagic));
        var sizes = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(shortSizes));

        Assert.Contains("only 2 bytes", magic.Message);
        Assert.Contains("expected 12 bytes of dimension sizes after the magic number, found 6", sizes.Message);
    }

    [Fact]
    public void A_cut_off_gzip_stream_names_the_file()
    {
        byte[] compressed = IdxFiles.Gzip(IdxFiles.Images(20, 10, 10, Pixel));
        string path = _files.Write("cut.gz", compressed[..(compressed.Length / 2)]);

        var exception = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, exception.Message);
    }

    [Fact]
    public void A_negative_dimension_is_refused()
    {
        string path = _files.Write("negative", IdxFiles.Build(0x00000803, [-1, 2, 2], []));

        var exception = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Contains("dimension 0 has a negative size (-1)", exception.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Data_past_the_declared_size_is_refused_naming_both_sizes(bool compress)
    {
        byte[] content = [.. IdxFiles.Images(2, 3, 3, Pixel), 1, 2, 3];
        string path = _files.Write("long", compress ? IdxFiles.Gzip(content) : content);

        var exception = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, exception.Message);
        Assert.Contains("the header declares 2 × 3 × 3 = 18 bytes of images but 21 bytes follow the 16-byte header", exception.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_label_file_whose_header_has_three_sizes_is_refused(bool compress)
    {
        // Magic 0x801 (1 dimension) but the sizes 50, 28, 28: the second and third size are not labels.
        byte[] content = IdxFiles.Build(IdxReader.LabelsMagic, [50, 28, 28], new byte[50]);
        string path = _files.Write("labels-with-three-sizes", compress ? IdxFiles.Gzip(content) : content);

        var exception = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path));

        Assert.Contains("the header declares 50 = 50 bytes of labels but 58 bytes follow the 8-byte header (8 more: does the header hold more than its 1 size?)", exception.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_image_file_whose_header_has_two_sizes_is_refused(bool compress)
    {
        // Magic 0x803 but only the sizes 2, 4: the third "size" is the first four pixels (0x01010101).
        byte[] pixels = Enumerable.Repeat((byte)1, 2 * 4 * 4).ToArray();
        byte[] content = IdxFiles.Build(IdxReader.ImagesMagic, [2, 4], pixels);
        string path = _files.Write("images-with-two-sizes", compress ? IdxFiles.Gzip(content) : content);

        var exception = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Contains("the header declares 2 × 4 × 16843009 = 134744072 bytes of images but only 28 bytes follow the 16-byte header", exception.Message);
    }

    [Fact]
    public void A_header_of_another_dimension_count_is_refused_with_both_counts()
    {
        string path = _files.Write("two-dimensional", IdxFiles.Build(0x00000802, [2, 2], [1, 2, 3, 4]));

        var exception = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Contains("bad magic number 0x00000802: expected 0x00000803 for images (3 dimensions, found 2)", exception.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_huge_declared_size_allocates_no_more_than_the_file_holds(bool compress)
    {
        // 16 bytes declaring 1 × 46,340 × 46,340 images (2 GB), with no pixels at all.
        byte[] content = IdxFiles.Build(IdxReader.ImagesMagic, [1, 46_340, 46_340], []);
        string path = _files.Write("huge", compress ? IdxFiles.Gzip(content) : content);
        Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path)); // warm-up: JIT and statics

        long before = GC.GetAllocatedBytesForCurrentThread();
        var exception = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("1 × 46340 × 46340 = 2147395600 bytes of images but only 0 bytes follow", exception.Message);
        Assert.True(allocated < 1 << 20, $"{allocated} bytes allocated to reject a 16-byte file");
    }
}
