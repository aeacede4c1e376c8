using System.Buffers.Binary;
using System.Text;

namespace CnnGen.Parity.Tests.Native;

/// <summary>
/// A tiny ELF64 (little-endian) editor that marks one symbol-version requirement of a
/// shared library as <em>weak</em>.
/// </summary>
/// <remarks>
/// <para>
/// Background. A shared library lists, in its <c>.gnu.version_r</c> section (type
/// <c>SHT_GNU_verneed</c>, also reachable through the dynamic tag <c>DT_VERNEED</c>), which
/// symbol versions it needs from which other libraries, e.g. "GLIBCXX_3.4.32 from
/// libstdc++.so.6". When the dynamic loader maps the library it checks every such need
/// against the version definitions of the providing library and refuses to load the
/// library if one is missing ("version `GLIBCXX_3.4.32' not found") — unless that need
/// carries the flag <c>VER_FLG_WEAK</c> (0x2), in which case glibc's loader skips it
/// silently (it only mentions it under <c>ldd -v</c> / <c>LD_TRACE_LOADED_OBJECTS</c>).
/// </para>
/// <para>
/// Layout (all little-endian, see elf.h):
/// <code>
///   Elf64_Ehdr : e_ident[16] ... e_shoff @0x28 (u64), e_shentsize @0x3A (u16),
///                e_shnum @0x3C (u16), e_shstrndx @0x3E (u16)
///   Elf64_Shdr (64 bytes): sh_name u32 @0, sh_type u32 @4, sh_offset u64 @24,
///                sh_size u64 @32, sh_link u32 @40, sh_info u32 @44
///   Elf64_Verneed (16 bytes): vn_version u16 @0, vn_cnt u16 @2, vn_file u32 @4,
///                vn_aux u32 @8 (offset of first Vernaux, relative to this Verneed),
///                vn_next u32 @12 (offset of next Verneed, relative to this one; 0 = last)
///   Elf64_Vernaux (16 bytes): vna_hash u32 @0, vna_flags u16 @4, vna_other u16 @6,
///                vna_name u32 @8, vna_next u32 @12 (relative; 0 = last)
/// </code>
/// <c>vn_file</c> and <c>vna_name</c> are offsets into the string table whose section
/// index is the <c>sh_link</c> of <c>.gnu.version_r</c> (normally <c>.dynstr</c>).
/// </para>
/// <para>
/// The edit touches exactly two bytes (<c>vna_flags</c>) of one Vernaux entry. It does not
/// change <c>.gnu.version</c>: symbols tagged with the weak version keep their tag, so they
/// still cannot bind to a wrong version; they simply stay unresolved if something actually
/// needs them (which for a pure marker symbol never happens).
/// </para>
/// </remarks>
public static class ElfVersionNeedPatcher
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;
    private const int ShdrSize = 64;
    private const int VerneedSize = 16;
    private const int VernauxSize = 16;

    /// <summary>Outcome of <see cref="MarkWeak"/>.</summary>
    public enum Outcome
    {
        /// <summary>The flag was set and the file rewritten.</summary>
        Patched,

        /// <summary>The entry already carried <c>VER_FLG_WEAK</c>; the file was not touched.</summary>
        AlreadyWeak,
    }

    /// <summary>One Vernaux entry, as reported by <see cref="ReadVersionNeeds"/>.</summary>
    public sealed record VersionNeed(string File, string Version, ushort Flags, ushort Index)
    {
        public bool IsWeak => (Flags & VerFlgWeak) != 0;
    }

    /// <summary>Lists every (library, version) need in the file's <c>.gnu.version_r</c>.</summary>
    public static IReadOnlyList<VersionNeed> ReadVersionNeeds(string path)
    {
        var image = File.ReadAllBytes(path);
        var result = new List<VersionNeed>();
        Walk(image, path, (file, version, flagsOffset, index) =>
            result.Add(new VersionNeed(file, version, ReadU16(image, flagsOffset), index)));
        return result;
    }

    /// <summary>
    /// Sets <c>VER_FLG_WEAK</c> on the need for <paramref name="version"/> from
    /// <paramref name="neededFile"/> (e.g. "libstdc++.so.6") in the ELF file at
    /// <paramref name="path"/>. Idempotent. Throws <see cref="InvalidDataException"/> with an
    /// explanatory message when the file is not a little-endian ELF64 object or has no such need.
    /// </summary>
    /// <remarks>
    /// The new contents are written to a temporary file next to the target and then renamed
    /// over it. A rename replaces the directory entry instead of writing into the existing
    /// inode, so even if the build had hard-linked the output file to the NuGet cache the
    /// cached original would stay untouched; it also means a concurrent reader sees either
    /// the old or the new file, never a half-written one.
    /// </remarks>
    public static Outcome MarkWeak(string path, string neededFile, string version)
    {
        var image = File.ReadAllBytes(path);
        int flagsOffset = -1;
        Walk(image, path, (file, name, offset, _) =>
        {
            if (file == neededFile && name == version)
            {
                flagsOffset = offset;
            }
        });

        if (flagsOffset < 0)
        {
            throw new InvalidDataException(
                $"{path}: .gnu.version_r has no need for version '{version}' of '{neededFile}'. " +
                "The native library changed; re-check its version needs with `readelf -V`.");
        }

        var flags = ReadU16(image, flagsOffset);
        if ((flags & VerFlgWeak) != 0)
        {
            return Outcome.AlreadyWeak;
        }

        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(flagsOffset), (ushort)(flags | VerFlgWeak));

        var temp = path + ".weakening." + Environment.ProcessId + ".tmp";
        try
        {
            File.WriteAllBytes(temp, image);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temp, File.GetUnixFileMode(path));
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }

        return Outcome.Patched;
    }

    /// <summary>
    /// Walks all Verneed/Vernaux chains, calling <paramref name="visit"/> with
    /// (needed file, version name, file offset of vna_flags, vna_other).
    /// </summary>
    private static void Walk(byte[] image, string path, Action<string, string, int, ushort> visit)
    {
        // --- ELF header -------------------------------------------------------------------
        if (image.Length < 0x40 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
        {
            throw Bad(path, "not an ELF file");
        }

        if (image[4] != 2 /* ELFCLASS64 */ || image[5] != 1 /* ELFDATA2LSB */)
        {
            throw Bad(path, "only little-endian ELF64 is supported");
        }

        var shoff = ReadU64(image, 0x28);
        int shentsize = ReadU16(image, 0x3A);
        int shnum = ReadU16(image, 0x3C);
        int shstrndx = ReadU16(image, 0x3E);
        if (shoff == 0 || shnum == 0 || shentsize < ShdrSize || shoff + (ulong)shnum * (ulong)shentsize > (ulong)image.Length)
        {
            throw Bad(path, "missing or truncated section header table");
        }

        int SectionHeader(int index) => checked((int)shoff + index * shentsize);

        // --- find .gnu.version_r ----------------------------------------------------------
        // Identified by its type SHT_GNU_verneed; the name (via .shstrtab) is checked as well
        // so a malformed file cannot make us edit the wrong bytes.
        int verneed = -1;
        for (var i = 0; i < shnum; i++)
        {
            if (ReadU32(image, SectionHeader(i) + 4) == ShtGnuVerneed)
            {
                verneed = i;
                break;
            }
        }

        if (verneed < 0)
        {
            throw Bad(path, "no SHT_GNU_verneed (.gnu.version_r) section");
        }

        if (shstrndx < shnum)
        {
            var shstrtab = SectionHeader(shstrndx);
            var name = ReadString(image, (int)ReadU64(image, shstrtab + 24), ReadU64(image, shstrtab + 32),
                ReadU32(image, SectionHeader(verneed)), path);
            if (name != ".gnu.version_r")
            {
                throw Bad(path, $"SHT_GNU_verneed section is named '{name}', expected '.gnu.version_r'");
            }
        }

        var vr = SectionHeader(verneed);
        var vrOffset = ReadU64(image, vr + 24);
        var vrSize = ReadU64(image, vr + 32);
        var strIndex = ReadU32(image, vr + 40);
        var needCount = ReadU32(image, vr + 44); // sh_info = number of Verneed entries
        if (vrOffset + vrSize > (ulong)image.Length || strIndex >= shnum)
        {
            throw Bad(path, ".gnu.version_r lies outside the file or links to a bad string table");
        }

        var str = SectionHeader((int)strIndex);
        var strOffset = (int)ReadU64(image, str + 24);
        var strSize = ReadU64(image, str + 32);

        // --- walk the Verneed chain and each entry's Vernaux chain ------------------------
        ulong need = 0;
        for (uint n = 0; n < needCount; n++)
        {
            if (need + VerneedSize > vrSize)
            {
                throw Bad(path, "Verneed entry runs past the end of .gnu.version_r");
            }

            var at = checked((int)(vrOffset + need));
            if (ReadU16(image, at) != 1)
            {
                throw Bad(path, $"unknown Verneed version {ReadU16(image, at)}");
            }

            int auxCount = ReadU16(image, at + 2);
            var file = ReadString(image, strOffset, strSize, ReadU32(image, at + 4), path);
            var aux = need + ReadU32(image, at + 8);
            for (var a = 0; a < auxCount; a++)
            {
                if (aux + VernauxSize > vrSize)
                {
                    throw Bad(path, "Vernaux entry runs past the end of .gnu.version_r");
                }

                var auxAt = checked((int)(vrOffset + aux));
                var version = ReadString(image, strOffset, strSize, ReadU32(image, auxAt + 8), path);
                visit(file, version, auxAt + 4, ReadU16(image, auxAt + 6));
                aux += ReadU32(image, auxAt + 12);
            }

            var next = ReadU32(image, at + 12);
            if (next == 0)
            {
                break;
            }

            need += next;
        }
    }

    private static string ReadString(byte[] image, int tableOffset, ulong tableSize, uint offset, string path)
    {
        if (offset >= tableSize)
        {
            throw Bad(path, "string offset outside its string table");
        }

        var start = tableOffset + (int)offset;
        var end = Array.IndexOf(image, (byte)0, start, (int)(tableSize - offset));
        if (end < 0)
        {
            throw Bad(path, "unterminated string");
        }

        return Encoding.ASCII.GetString(image, start, end - start);
    }

    private static ushort ReadU16(byte[] b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(at, 2));

    private static uint ReadU32(byte[] b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at, 4));

    private static ulong ReadU64(byte[] b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(at, 8));

    private static InvalidDataException Bad(string path, string why) => new($"{path}: {why}.");
}
