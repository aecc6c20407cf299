using SteelCI.Ports;
using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using SteelCI.Contracts;
using SteelCI.GitHub.Fake;
using SteelCI.Hashing;
using Xunit.Abstractions;

namespace SteelCI.GitHub.Tests;

/// <summary>
/// Publishes and fetches one big checkpoint through the fake (asset bytes on disk), and reports peak RSS and throughput
/// against a plain file copy. CI runs 128 MiB; STEELCI_BENCH_MIB=3072 runs the 3 GiB bench. Memory must stay
/// bounded whatever the size, because uploads stream file windows and downloads stream to disk: the managed heap,
/// sampled during the transfers, may grow by at most a quarter of the checkpoint (and never 256 MiB), so an
/// implementation that buffered a file would fail even the small CI run.
/// </summary>
[Collection("transfer bench")]
public sealed class TransferBench(ITestOutputHelper output)
{
    [Fact]
    public async Task Publish_and_fetch_stream_with_bounded_memory()
    {
        var mib = int.TryParse(Environment.GetEnvironmentVariable("STEELCI_BENCH_MIB"), out var chosen) && chosen > 0 ? chosen : 128;
        var root = Path.Combine(Path.GetTempPath(), "steelci-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var folder = Path.Combine(root, "out");
        Directory.CreateDirectory(folder);
        try
        {
            var file = Path.Combine(folder, "model.safetensors");
            await using (var stream = File.Create(file))
            {
                var block = new byte[1 << 20];
                var random = new Random(1);
                for (var i = 0; i < mib; i++)
                {
                    random.NextBytes(block);
                    await stream.WriteAsync(block);
                }
            }
            var manifest = new Manifest
            {
                Pipeline = "bench", Stage = "big", Entry = "e", Status = OutputStatus.Complete, ContentKey = "0123456789abcdef",
                Files = [new ManifestFile("model.safetensors", Sha256.OfFile(file), (long)mib << 20)],
                Progress = new Progress(1, 1), Lineage = new Lineage { TrainerHash = "t", SteelciVersion = "0.1.0" },
                Runtime = new RuntimeInfo("0.107.0", "2.10.0", "cpu", 2, "linux"), CreatedUtc = DateTimeOffset.UnixEpoch,
            };
            File.WriteAllText(Path.Combine(folder, Manifest.FileName), Json.Serialize(manifest));

            var copy = Stopwatch.StartNew();
            File.Copy(file, Path.Combine(root, "copy.bin"));
            copy.Stop();
            File.Delete(Path.Combine(root, "copy.bin"));

            var time = new FakeTimeProvider();
            await using var server = await FakeGitHubServer.StartAsync(new FakeGitHubOptions { Token = "t", Time = time, BlobDirectory = Path.Combine(root, "blobs") });
            var options = new GitHubStoreOptions
            {
                Owner = "o", Repository = "r", ApiUrl = server.ApiUri, Token = "t", CacheDirectory = Path.Combine(root, "cache"),
                PartSize = Math.Min(GitHubStoreOptions.DefaultPartSize, Math.Max(1L << 20, ((long)mib << 20) / 2)),
                MinMutationInterval = TimeSpan.Zero, Waiting = (d, _) => time.Advance(d),
            };
            var store = new GitHubArtifactStore(options, GitHubArtifactStore.CreateTransferClient(), time);
            GC.Collect();
            var baselineHeap = GC.GetTotalMemory(forceFullCollection: true);
            var baselineRss = Process.GetCurrentProcess().WorkingSet64;
            long peakHeap = baselineHeap, peakRss = baselineRss;
            using var sampler = new Timer(_ =>
            {
                Interlocked.Exchange(ref peakHeap, Math.Max(Interlocked.Read(ref peakHeap), GC.GetTotalMemory(false)));
                using var self = Process.GetCurrentProcess();
                Interlocked.Exchange(ref peakRss, Math.Max(Interlocked.Read(ref peakRss), self.WorkingSet64));
            }, null, 0, 20);

            var up = Stopwatch.StartNew();
            var release = await store.PublishAsync("bench-big-0123456789ab", folder, false, CancellationToken.None);
            up.Stop();
            var down = Stopwatch.StartNew();
            var fetched = await store.FetchAsync(release, CancellationToken.None);
            down.Stop();
            sampler.Change(Timeout.Infinite, Timeout.Infinite);

            double Rate(Stopwatch s) => mib / s.Elapsed.TotalSeconds;
            output.WriteLine($"{mib} MiB, parts of {options.PartSize >> 20} MiB: publish {Rate(up):0} MiB/s (incl. part hashing), fetch {Rate(down):0} MiB/s (incl. verify), " +
                             $"file copy {Rate(copy):0} MiB/s; peak RSS {peakRss >> 20} MiB (test host + fake server, baseline {baselineRss >> 20} MiB), " +
                             $"managed heap peak +{(peakHeap - baselineHeap) >> 20} MiB");
            Assert.True(Directory.Exists(fetched));
            var bound = Math.Min(256L << 20, ((long)mib << 20) / 4);
            Assert.True(peakHeap - baselineHeap < bound, $"the managed heap grew by {(peakHeap - baselineHeap) >> 20} MiB while moving {mib} MiB");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}

/// <summary>Alone: other tests' allocations would blur the memory it samples.</summary>
[CollectionDefinition("transfer bench", DisableParallelization = true)]
public sealed class TransferBenchCollection;
