using SteelCI.Contracts;
using SteelCI.Hashing;
using SteelCI.Local;
using SteelCI.Testing;
using SteelCI.Tests.Contracts;

namespace SteelCI.Tests.Local;

/// <summary>Outputs are hashed once into a verified manifest; the store trusts it and refuses bytes changed since.</summary>
public sealed class VerifiedPublishTests
{
    private static readonly string Key = new('a', 64);

    private static readonly Dictionary<string, string> Files = new()
    {
        ["model.safetensors"] = new string('w', 300_000),
        ["sub/notes.txt"] = new string('n', 20_000),
    };

    [Fact]
    public async Task Verifying_and_publishing_hashes_each_file_twice_in_two_reads_and_the_manifest_once()
    {
        using var dir = new TempDirectory("verified");
        Manifests.Write(dir.Combine("out"), "train", Key, files: Files);
        var store = new LocalArtifactStore(dir.Combine("releases"), TimeProvider.System);
        var data = Files.Values.Sum(v => (long)v.Length);

        using var meter = HashMeter.Start();
        var output = ManifestVerifier.VerifyOutput(dir.Combine("out"), Key); // the finisher's check
        var afterVerify = meter.Bytes;
        var release = await store.PublishAsync("p-train-aaaaaaaaaaaa", output, replace: false, default);

        // Verification: every file once, the manifest's bytes once (in memory). Publishing: the copy's own read is the
        // check, so the files pass the hash once more and nothing is re-read to verify the staging folder or the release.
        Assert.Equal(data + output.ManifestBytes.Length, afterVerify);
        Assert.Equal(2 * data + output.ManifestBytes.Length, meter.Bytes);
        Assert.Equal(output.ManifestBytes.ToArray(), File.ReadAllBytes(Path.Combine(release.Location, Manifest.FileName)));
        ManifestVerifier.Verify(release.Location, Key);
    }

    [Fact]
    public async Task A_file_changed_between_verification_and_publishing_is_refused_and_nothing_is_published()
    {
        using var dir = new TempDirectory("verified");
        Manifests.Write(dir.Combine("out"), "train", Key, files: Files);
        var store = new LocalArtifactStore(dir.Combine("releases"), TimeProvider.System);
        var output = ManifestVerifier.VerifyOutput(dir.Combine("out"), Key);
        File.WriteAllText(dir.Combine("out", "sub", "notes.txt"), new string('x', 20_000)); // same size, other bytes

        var error = await Assert.ThrowsAsync<ChangedBytesException>(() => store.PublishAsync("p-train-aaaaaaaaaaaa", output, false, default));

        Assert.Contains("notes.txt: sha256", error.Message);
        Assert.Contains("changed after verification", error.Message);
        Assert.Empty(Directory.GetDirectories(dir.Combine("releases"))); // no release, no staging folder left
    }

    [Fact]
    public async Task A_file_cut_short_after_verification_is_refused()
    {
        using var dir = new TempDirectory("verified");
        Manifests.Write(dir.Combine("out"), "train", Key, files: Files);
        var store = new LocalArtifactStore(dir.Combine("releases"), TimeProvider.System);
        var output = ManifestVerifier.VerifyOutput(dir.Combine("out"), Key);
        File.WriteAllText(dir.Combine("out", "model.safetensors"), "short");

        var error = await Assert.ThrowsAsync<ChangedBytesException>(() => store.PublishAsync("p-train-aaaaaaaaaaaa", output, false, default));

        Assert.Contains("bytes short of the 300000 verified", error.Message);
        Assert.Null(await store.FindAsync("p-train-aaaaaaaaaaaa", default));
    }
}
