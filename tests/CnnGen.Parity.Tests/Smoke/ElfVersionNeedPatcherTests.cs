using System.Buffers.Binary;
using System.Text;
using CnnGen.Parity.Tests.Native;

namespace CnnGen.Parity.Tests.Smoke;

/// <summary>The ELF patcher on a synthetic minimal ELF64 file (independent of TorchSharp).</summary>
public sealed class ElfVersionNeedPatcherTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("cnngen-elf-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Marks_only_the_requested_need_weak_and_is_idempotent()
    {
        var path = Path.Combine(dir, "lib.so");
        var original = BuildElf(("libc.so.6", ["GLIBC_2.34"]), ("libstdc++.so.6", ["GLIBCXX_3.4.30", "GLIBCXX_3.4.32", "CXXABI_1.3"]));
        File.WriteAllBytes(path, original);

        Assert.Equal(ElfVersionNeedPatcher.Outcome.Patched, ElfVersionNeedPatcher.MarkWeak(path, "libstdc++.so.6", "GLIBCXX_3.4.32"));

        var needs = ElfVersionNeedPatcher.ReadVersionNeeds(path);
        Assert.Equal(["GLIBC_2.34", "GLIBCXX_3.4.30", "GLIBCXX_3.4.32", "CXXABI_1.3"], needs.Select(n => n.Version));
        Assert.Equal([false, false, true, false], needs.Select(n => n.IsWeak));

        var patched = File.ReadAllBytes(path);
        Assert.Equal(original.Length, patched.Length);
        Assert.Single(Enumerable.Range(0, original.Length), i => original[i] != patched[i]); // one byte of vna_flags

        Assert.Equal(ElfVersionNeedPatcher.Outcome.AlreadyWeak, ElfVersionNeedPatcher.MarkWeak(path, "libstdc++.so.6", "GLIBCXX_3.4.32"));
        Assert.Equal(patched, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(dir)); // no temp file left behind
    }

    [Fact]
    public void Fails_loudly_when_entry_or_file_is_wrong()
    {
        var path = Path.Combine(dir, "lib.so");
        File.WriteAllBytes(path, BuildElf(("libstdc++.so.6", ["GLIBCXX_3.4.30"])));
        var missing = Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.MarkWeak(path, "libstdc++.so.6", "GLIBCXX_3.4.32"));
        Assert.Contains("GLIBCXX_3.4.32", missing.Message);

        // Right version name, wrong providing library.
        Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.MarkWeak(path, "libc.so.6", "GLIBCXX_3.4.30"));

        var text = Path.Combine(dir, "not-elf.so");
        File.WriteAllText(text, "definitely not an ELF file, but long enough to have a header of sixty-four bytes....");
        Assert.Contains("not an ELF", Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.MarkWeak(text, "x", "y")).Message);

        Assert.Throws<FileNotFoundException>(() => ElfVersionNeedPatcher.MarkWeak(Path.Combine(dir, "absent.so"), "x", "y"));
    }

    [Fact]
    public void Real_patched_glue_library_is_left_alone_on_second_run()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var copy = Path.Combine(dir, LibTorchBootstrap.GlueLibrary);
        File.Copy(LibTorchBootstrap.PatchedFiles[0].Path, copy);
        var before = File.ReadAllBytes(copy);
        Assert.Equal(ElfVersionNeedPatcher.Outcome.AlreadyWeak,
            ElfVersionNeedPatcher.MarkWeak(copy, LibTorchBootstrap.StdCxxLibrary, LibTorchBootstrap.MissingVersion));
        Assert.Equal(before, File.ReadAllBytes(copy));
    }

    /// <summary>
    /// A minimal ELF64 LE file: header, .dynstr, .gnu.version_r, .shstrtab and a section header
    /// table [null, .dynstr, .gnu.version_r, .shstrtab]. Enough for the patcher, not for a loader.
    /// </summary>
    private static byte[] BuildElf(params (string File, string[] Versions)[] needs)
    {
        var dynstr = new List<byte> { 0 };
        uint Str(List<byte> table, string s)
        {
            var at = (uint)table.Count;
            table.AddRange(Encoding.ASCII.GetBytes(s));
            table.Add(0);
            return at;
        }

        var verneed = new List<byte>();
        ushort index = 2;
        for (var n = 0; n < needs.Length; n++)
        {
            var (file, versions) = needs[n];
            var entry = new byte[16 + (16 * versions.Length)];
            BinaryPrimitives.WriteUInt16LittleEndian(entry.AsSpan(0), 1);
            BinaryPrimitives.WriteUInt16LittleEndian(entry.AsSpan(2), (ushort)versions.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(4), Str(dynstr, file));
            BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(8), 16);
            BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(12), n == needs.Length - 1 ? 0u : (uint)entry.Length);
            for (var a = 0; a < versions.Length; a++)
            {
                var aux = entry.AsSpan(16 + (16 * a));
                BinaryPrimitives.WriteUInt16LittleEndian(aux[6..], index++);
                BinaryPrimitives.WriteUInt32LittleEndian(aux[8..], Str(dynstr, versions[a]));
                BinaryPrimitives.WriteUInt32LittleEndian(aux[12..], a == versions.Length - 1 ? 0u : 16u);
            }

            verneed.AddRange(entry);
        }

        var shstrtab = new List<byte> { 0 };
        var nameDynstr = Str(shstrtab, ".dynstr");
        var nameVerneed = Str(shstrtab, ".gnu.version_r");
        var nameShstrtab = Str(shstrtab, ".shstrtab");

        var dynstrAt = 64;
        var verneedAt = Align(dynstrAt + dynstr.Count, 8);
        var shstrtabAt = verneedAt + verneed.Count;
        var shAt = Align(shstrtabAt + shstrtab.Count, 8);
        var image = new byte[shAt + (4 * 64)];

        "\u007fELF"u8.CopyTo(image);
        image[4] = 2; // ELFCLASS64
        image[5] = 1; // ELFDATA2LSB
        image[6] = 1; // EV_CURRENT
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(0x10), 3); // ET_DYN
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(0x12), 62); // EM_X86_64
        BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(0x28), (ulong)shAt);
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(0x34), 64);
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(0x3A), 64);
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(0x3C), 4);
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(0x3E), 3);

        dynstr.CopyTo(image, dynstrAt);
        verneed.CopyTo(image, verneedAt);
        shstrtab.CopyTo(image, shstrtabAt);

        void Section(int i, uint name, uint type, int offset, int size, uint link = 0, uint info = 0)
        {
            var sh = image.AsSpan(shAt + (64 * i), 64);
            BinaryPrimitives.WriteUInt32LittleEndian(sh, name);
            BinaryPrimitives.WriteUInt32LittleEndian(sh[4..], type);
            BinaryPrimitives.WriteUInt64LittleEndian(sh[24..], (ulong)offset);
            BinaryPrimitives.WriteUInt64LittleEndian(sh[32..], (ulong)size);
            BinaryPrimitives.WriteUInt32LittleEndian(sh[40..], link);
            BinaryPrimitives.WriteUInt32LittleEndian(sh[44..], info);
        }

        Section(1, nameDynstr, 3 /* SHT_STRTAB */, dynstrAt, dynstr.Count);
        Section(2, nameVerneed, 0x6ffffffe /* SHT_GNU_verneed */, verneedAt, verneed.Count, link: 1, info: (uint)needs.Length);
        Section(3, nameShstrtab, 3, shstrtabAt, shstrtab.Count);
        return image;
    }

    private static int Align(int value, int alignment) => (value + alignment - 1) / alignment * alignment;
}
