using SteelCI.Contracts;
using SteelCI.Testing;

namespace SteelCI.Tests.Contracts;

public sealed class ManifestVerifierTests
{
    private static readonly string Key = new('d', 64);

    [Fact]
    public void A_matching_folder_is_accepted()
    {
        using var dir = new TempDirectory("manifest");
        Manifests.Write(dir.Path, "train", Key);

        var manifest = ManifestVerifier.Verify(dir.Path, Key);

        Assert.Equal(2, manifest.Files.Count);
    }

    [Theory]
    [InlineData("ABCDEFG", "sha256")]
    [InlineData("longer content", "bytes, the manifest says")]
    [InlineData(null, "which is missing")]
    public void A_file_that_differs_from_the_manifest_is_refused_by_name(string? newContent, string problem)
    {
        using var dir = new TempDirectory("manifest");
        Manifests.Write(dir.Path, "train", Key, files: new Dictionary<string, string> { ["model.safetensors"] = "abcdefg" });
        var file = dir.Combine("model.safetensors");
        if (newContent is null)
            File.Delete(file);
        else
            File.WriteAllText(file, newContent);

        var error = Assert.Throws<InvalidDataException>(() => ManifestVerifier.Verify(dir.Path, Key));

        Assert.Contains(problem, error.Message);
        Assert.Contains("model.safetensors", error.Message);
    }

    [Fact]
    public void A_foreign_content_key_a_missing_manifest_and_a_broken_one_are_refused()
    {
        using var dir = new TempDirectory("manifest");
        Assert.Contains("no manifest.json", Assert.Throws<InvalidDataException>(() => ManifestVerifier.Verify(dir.Path)).Message);

        Manifests.Write(dir.Path, "train", Key);
        Assert.Contains("does not match the expected", Assert.Throws<InvalidDataException>(() => ManifestVerifier.Verify(dir.Path, new string('e', 64))).Message);

        File.WriteAllText(dir.Combine(Manifest.FileName), "{ not json");
        Assert.Contains("not a valid Manifest", Assert.Throws<InvalidDataException>(() => ManifestVerifier.Verify(dir.Path)).Message);
    }

    [Fact]
    public void A_path_escaping_the_folder_is_refused()
    {
        using var dir = new TempDirectory("manifest");
        var manifest = Manifests.Write(dir.Path, "train", Key);
        File.WriteAllText(dir.Combine(Manifest.FileName), Json.Serialize(manifest with { Files = [new ManifestFile("../x", "00", 1)] }));

        Assert.Contains("not a plain relative path", Assert.Throws<InvalidDataException>(() => ManifestVerifier.Verify(dir.Path)).Message);
    }
}
