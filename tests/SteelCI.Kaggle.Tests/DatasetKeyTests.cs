using SteelCI.Contracts;
using SteelCI.Kaggle.Backend;
using SteelCI.Ports;
using SteelCI.Testing;

namespace SteelCI.Kaggle.Tests;

/// <summary>
/// A release's dataset slug follows what a consumer reads (files, status, progress, metrics, thresholds), not when or
/// where the manifest was written, so a forced rerun that made the same files reuses the account's dataset.
/// </summary>
public sealed class DatasetKeyTests : IDisposable
{
    private readonly TempDirectory _dir = new("dataset-key");

    public void Dispose() => _dir.Dispose();

    private KernelSource Release(string name, string weights = "w1", OutputStatus status = OutputStatus.Complete,
        DateTimeOffset? created = null, double threshold = 0.5, int threads = 2)
    {
        var folder = Directory.CreateDirectory(_dir.Combine(name)).FullName;
        File.WriteAllText(Path.Combine(folder, "model.bin"), weights);
        var manifest = new Manifest
        {
            Pipeline = "p", Stage = "seg1", Entry = "segment", Status = status, ContentKey = "abc123",
            Files = [new ManifestFile("model.bin", Hashing.Sha256.OfFile(Path.Combine(folder, "model.bin")), weights.Length)],
            Thresholds = new Dictionary<string, double> { ["pixel"] = threshold },
            Progress = new Progress(3, 3),
            Lineage = new Lineage { TrainerHash = "t", SteelciVersion = "1" },
            Runtime = new RuntimeInfo("0.107", "2.10", "cpu", threads, "linux"),
            CreatedUtc = created ?? new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero),
        };
        File.WriteAllText(Path.Combine(folder, Manifest.FileName), Json.Serialize(manifest));
        return new KernelSource("seg1", folder, "abc123");
    }

    [Fact]
    public void The_same_files_written_at_another_time_by_another_runtime_keep_their_slug()
    {
        var first = DatasetPublisher.SlugFor(Release("a"));
        Assert.Equal(first, DatasetPublisher.SlugFor(Release("b", created: new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero), threads: 4)));
        Assert.StartsWith("steelci-seg1-", first);
    }

    [Fact]
    public void Other_bytes_another_status_or_another_threshold_get_another_slug()
    {
        var first = DatasetPublisher.SlugFor(Release("a"));
        Assert.NotEqual(first, DatasetPublisher.SlugFor(Release("b", weights: "w2")));
        Assert.NotEqual(first, DatasetPublisher.SlugFor(Release("c", status: OutputStatus.Partial)));
        Assert.NotEqual(first, DatasetPublisher.SlugFor(Release("d", threshold: 0.6)));
    }
}
