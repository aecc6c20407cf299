using SteelCI.Contracts;
using SteelCI.Kernels;
using SteelCI.Local;
using SteelCI.Ports;
using SteelCI.Testing;

namespace SteelCI.Tests.Kernels;

/// <summary>
/// The generated kernel files, whole, against expected files in Kernels/Snapshots: a change to the launcher template,
/// the platform rules it embeds or the metadata format shows up as a diff in review. Inputs are fixed (no clock, no
/// random, no machine path in the output). Accept a deliberate change with STEELCI_ACCEPT_SNAPSHOTS=1.
/// </summary>
public sealed class KernelSnapshotTests
{
    private const string Folder = "tests/SteelCI.Tests/Kernels/Snapshots/";

    private static readonly StageConfig Config = new()
    {
        Pipeline = "severstal",
        Stage = "seg3",
        Entry = "segment",
        ContentKey = new string('5', 64),
        Epochs = 4,
        Params = new Dictionary<string, string> { ["class"] = "3", ["lr"] = "0.001" },
        Inputs = [new StageInput("severstal", "severstal", "severstal-severstal-111111111111", new string('1', 64))],
        TrainerHash = new string('9', 64),
        SteelciVersion = "0.1.0",
    };

    private static KernelPackage Package(TempDirectory dir, string accelerator, IReadOnlyList<KernelSource> sources) =>
        new KernelPackager(new TrainerPublisher(new SystemProcessRunner(), dir.Path), dir.Path)
            .Package("severstal-seg3-55555555-a1-abcde", Config, new TrainerBundle(dir.Combine("bundle"), new string('9', 64)),
                sources, accelerator, TimeSpan.FromHours(12));

    /// <summary>kernel-metadata.json as the kaggle backend writes it for account alice: the spec with her slugs filled in.</summary>
    private static string MetadataOnAlice(KernelPackage package)
    {
        var slugs = package.Sources.ToDictionary(s => s.Mount, s => $"{s.Mount}-{s.ContentKey[..16]}");
        return KernelMetadata.For(KernelSpec.Read(package.Directory).ForAccount("alice", slugs), "NvidiaTeslaT4").ToJson();
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cpu")]
    public void The_launcher_matches_its_snapshot(string accelerator)
    {
        using var dir = new TempDirectory("snapshot");

        var package = Package(dir, accelerator, [new KernelSource("severstal", dir.Combine("data"), new string('1', 64))]);

        Snapshot.Verify(Folder + $"launcher-{accelerator}.py", File.ReadAllText(Path.Combine(package.Directory, package.CodeFile)));
    }

    [Fact]
    public void The_kernel_metadata_of_a_gpu_kernel_with_a_dataset_and_a_competition_matches_its_snapshot()
    {
        using var dir = new TempDirectory("snapshot");

        var package = Package(dir, "gpu", [
            new KernelSource("severstal", dir.Combine("data"), new string('1', 64)),
            new KernelSource("steel", dir.Combine("competition"), new string('2', 64)) { Competition = "severstal-steel-defect-detection" },
        ]);

        Snapshot.Verify(Folder + "kernel-metadata-gpu.json", MetadataOnAlice(package));
    }

    [Fact]
    public void The_kernel_metadata_of_a_cpu_kernel_matches_its_snapshot()
    {
        using var dir = new TempDirectory("snapshot");

        var package = Package(dir, "cpu", [new KernelSource("severstal", dir.Combine("data"), new string('1', 64))]);

        Snapshot.Verify(Folder + "kernel-metadata-cpu.json", MetadataOnAlice(package));
    }
}
