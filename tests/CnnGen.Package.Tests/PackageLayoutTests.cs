using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;
using CnnGen.Package.Tests.Support;

namespace CnnGen.Package.Tests;

/// <summary>What <c>dotnet pack</c> puts in the CnnGen and CnnGen.Runtime packages.</summary>
[Collection(PackedFeedCollection.Name)]
public sealed class PackageLayoutTests(PackedFeed feed)
{
    private const string RepositoryUrl = "https://github.com/cnngen/cnngen";

    [Fact]
    public void CnnGen_holds_the_attributes_in_lib_and_the_generator_in_analyzers()
    {
        using ZipArchive package = ZipFile.OpenRead(feed.PackagePath("CnnGen"));
        var entries = package.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);

        // netstandard2.0 for any consumer; net10.0 is the same attributes, there so that the package's
        // net10.0 dependency group can carry CnnGen.Runtime (see src/CnnGen/CnnGen.csproj).
        Assert.Equal(
            ["lib/net10.0/CnnGen.dll", "lib/net10.0/CnnGen.xml", "lib/netstandard2.0/CnnGen.dll", "lib/netstandard2.0/CnnGen.xml"],
            entries.Where(e => e.StartsWith("lib/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray());
        Assert.Contains("analyzers/dotnet/cs/CnnGen.Generator.dll", entries);
        Assert.Contains("PACKAGE.md", entries);

        // The generator is only an analyzer: never a compile reference, and Roslyn is not shipped
        // (the compiler provides it).
        Assert.DoesNotContain(entries, e => e.Contains("Microsoft.CodeAnalysis", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(
            ["analyzers/dotnet/cs/CnnGen.Generator.dll"],
            entries.Where(e => e.StartsWith("analyzers/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray());

        // Analyzers are loaded by every compiler host (.NET Framework in Visual Studio too).
        Assert.Equal(".NETStandard,Version=v2.0", TargetFrameworkOf(package, "analyzers/dotnet/cs/CnnGen.Generator.dll"));
        Assert.Equal(".NETStandard,Version=v2.0", TargetFrameworkOf(package, "lib/netstandard2.0/CnnGen.dll"));

        // And nothing to load beside it: netstandard and what the compiler brings (the rules the generator shares
        // with the runtime, rules/, are compiled into it, not referenced).
        Assert.All(
            AssemblyReferencesOf(package, "analyzers/dotnet/cs/CnnGen.Generator.dll"),
            name => Assert.True(name is "netstandard" or "System.Collections.Immutable" || name.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal), name));
    }

    [Fact]
    public void CnnGen_nuspec_has_metadata_readme_license_and_depends_on_the_runtime()
    {
        using ZipArchive package = ZipFile.OpenRead(feed.PackagePath("CnnGen"));
        XElement metadata = Nuspec(package);

        Assert.Equal("CnnGen", Value(metadata, "id"));
        Assert.Equal(feed.Version, Value(metadata, "version"));
        AssertCommonMetadata(metadata);
        Assert.Contains("source-generator", Value(metadata, "tags").Split(' '));

        XElement[] dependencies = metadata.Descendants().Where(e => e.Name.LocalName == "dependency").ToArray();
        XElement runtime = Assert.Single(dependencies, d => (string?)d.Attribute("id") == "CnnGen.Runtime");
        Assert.Equal(feed.Version, (string?)runtime.Attribute("version"));
        Assert.Equal("net10.0", (string?)runtime.Parent!.Attribute("targetFramework"));
        Assert.DoesNotContain(dependencies, d => ((string?)d.Attribute("id"))!.Contains("Generator", StringComparison.Ordinal));
        Assert.DoesNotContain(dependencies, d => ((string?)d.Attribute("id"))!.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal));
    }

    [Fact]
    public void Runtime_package_holds_the_net10_library_and_depends_on_System_Numerics_Tensors()
    {
        using ZipArchive package = ZipFile.OpenRead(feed.PackagePath("CnnGen.Runtime"));
        var entries = package.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("lib/net10.0/CnnGen.Runtime.dll", entries);
        Assert.Contains("lib/net10.0/CnnGen.Runtime.xml", entries);
        Assert.Contains("PACKAGE.md", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("analyzers/", StringComparison.Ordinal));

        XElement metadata = Nuspec(package);
        Assert.Equal("CnnGen.Runtime", Value(metadata, "id"));
        Assert.Equal(feed.Version, Value(metadata, "version"));
        AssertCommonMetadata(metadata);
        Assert.Contains(
            metadata.Descendants().Where(e => e.Name.LocalName == "dependency"),
            d => (string?)d.Attribute("id") == "System.Numerics.Tensors");
    }

    [Theory]
    [InlineData("CnnGen", "lib/netstandard2.0/CnnGen.pdb")]
    [InlineData("CnnGen.Runtime", "lib/net10.0/CnnGen.Runtime.pdb")]
    public void Symbols_ship_as_a_snupkg_next_to_the_package(string id, string pdb)
    {
        using ZipArchive symbols = ZipFile.OpenRead(feed.SymbolPackagePath(id));
        Assert.Contains(pdb, symbols.Entries.Select(e => e.FullName));
    }

    private void AssertCommonMetadata(XElement metadata)
    {
        Assert.Equal("CnnGen contributors", Value(metadata, "authors"));
        XElement license = Child(metadata, "license");
        Assert.Equal("expression", (string?)license.Attribute("type"));
        Assert.Equal("MIT", license.Value);
        Assert.Equal("PACKAGE.md", Value(metadata, "readme"));
        Assert.False(string.IsNullOrWhiteSpace(Value(metadata, "description")));
        Assert.False(string.IsNullOrWhiteSpace(Value(metadata, "tags")));
        Assert.Equal(RepositoryUrl, Value(metadata, "projectUrl"));
        XElement repository = Child(metadata, "repository");
        Assert.Equal(RepositoryUrl, (string?)repository.Attribute("url"));
        if (Path.Exists(Path.Combine(feed.RepositoryRoot, ".git")))
        {
            // Source Link (built into the SDK) found the repository: the package names its commit.
            Assert.Matches("^[0-9a-f]{40}$", (string?)repository.Attribute("commit") ?? "");
        }
        Assert.DoesNotContain(metadata.Elements(), e => e.Name.LocalName is "icon" or "iconUrl");
    }

    private static XElement Nuspec(ZipArchive package)
    {
        ZipArchiveEntry entry = Assert.Single(package.Entries, e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/', StringComparison.Ordinal));
        using Stream stream = entry.Open();
        return Child(XDocument.Load(stream).Root!, "metadata");
    }

    private static XElement Child(XElement parent, string localName) =>
        parent.Elements().SingleOrDefault(e => e.Name.LocalName == localName)
        ?? throw new Xunit.Sdk.XunitException($"<{parent.Name.LocalName}> has no <{localName}>:\n{parent}");

    private static string Value(XElement metadata, string localName) => Child(metadata, localName).Value;

    private static PEReader OpenAssembly(ZipArchive package, string path)
    {
        var buffer = new MemoryStream();
        using (Stream stream = package.GetEntry(path)!.Open())
        {
            stream.CopyTo(buffer);
        }
        buffer.Position = 0;
        return new PEReader(buffer); // disposes the buffer
    }

    private static string[] AssemblyReferencesOf(ZipArchive package, string path)
    {
        using PEReader pe = OpenAssembly(package, path);
        MetadataReader reader = pe.GetMetadataReader();
        return reader.AssemblyReferences.Select(handle => reader.GetString(reader.GetAssemblyReference(handle).Name)).ToArray();
    }

    private static string? TargetFrameworkOf(ZipArchive package, string path)
    {
        using PEReader pe = OpenAssembly(package, path);
        MetadataReader reader = pe.GetMetadataReader();
        foreach (CustomAttributeHandle handle in reader.GetAssemblyDefinition().GetCustomAttributes())
        {
            CustomAttribute attribute = reader.GetCustomAttribute(handle);
            if (attribute.Constructor.Kind != HandleKind.MemberReference)
            {
                continue;
            }
            var constructor = reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor);
            var type = reader.GetTypeReference((TypeReferenceHandle)constructor.Parent);
            if (reader.GetString(type.Name) == "TargetFrameworkAttribute")
            {
                BlobReader value = reader.GetBlobReader(attribute.Value);
                value.ReadUInt16(); // prolog
                return value.ReadSerializedString();
            }
        }
        return null;
    }
}
