using System.Text.Json.Nodes;
using SteelCI.Kaggle.Backend;
using SteelCI.Kaggle.Fake;
using SteelCI.Kaggle.Probe;
using SteelCI.Kernels;
using SteelCI.Local;
using SteelCI.Testing;

namespace SteelCI.Kaggle.Tests;

/// <summary>
/// Rung b rehearsed on the fake: the one-off runtime kernel really runs (python3), fetches stand-in wheels from a
/// loopback index, keeps their native libraries as its output; a gpu kernel on that account then mounts the output as
/// a kernel source, and the probe reports it and tries to load the libraries.
/// </summary>
public sealed class PinnedRuntimeTests
{
    [Fact]
    public async Task The_runtime_kernel_keeps_the_wheels_native_libraries_and_gpu_kernels_of_the_account_mount_them()
    {
        await using var index = new StandInWheelIndex();
        await using var h = await Harness.StartAsync(o => o with { Runner = new LocalKernelRunner(new SystemProcessRunner()) });
        var options = new KaggleBackendOptions
        {
            Workspace = h.Workspace, DatasetPollInterval = TimeSpan.FromSeconds(5),
            TorchIndex = index.TorchIndex, PypiIndex = index.PypiIndex, Libtorch = "2.10.0",
        };
        var backend = new KaggleBackend([h.Alice()], options, h.Time, h.Log);
        var client = backend.ClientFor("alice");

        Assert.Equal(RuntimeState.Missing, (await h.Drive(backend.Runtimes.StatusAsync(client, "alice", "2.10.0", CancellationToken.None))).State);
        var pushed = await h.Drive(backend.Runtimes.PrepareAsync(client, "alice", "2.10.0", CancellationToken.None));
        Assert.Equal(RuntimeState.Preparing, pushed.State);
        Assert.StartsWith("steelci-libtorch-2-10-0-cu128-", pushed.Slug);
        Assert.Equal(pushed.Slug, backend.Runtimes.SlugFor("2.10.0")); // content-addressed: the same slug on every call
        var again = await h.Drive(backend.Runtimes.PrepareAsync(client, "alice", "2.10.0", CancellationToken.None));
        Assert.Equal(1, again.Version); // on its way: not pushed twice

        RuntimeStatus status = pushed;
        await Eventually.Until(async () =>
        {
            h.Time.Advance(TimeSpan.FromSeconds(10));
            h.Server.AdvanceKernels();
            status = await backend.Runtimes.StatusAsync(client, "alice", "2.10.0", CancellationToken.None);
            return status.State is RuntimeState.Ready or RuntimeState.Failed;
        });
        Assert.True(status.State == RuntimeState.Ready, status.Detail);
        Assert.Equal(2, index.WheelsServed); // torch and the one nvidia wheel its METADATA requires

        var probe = new KaggleProbe(backend, h.Workspace, h.Time, h.Log);
        var result = await h.Drive(probe.RunAsync(new ProbeOptions { Account = "alice", PollInterval = TimeSpan.FromSeconds(2) }, CancellationToken.None),
            TimeSpan.FromMilliseconds(200), realPace: TimeSpan.FromMilliseconds(20));

        var metadata = JsonNode.Parse(File.ReadAllText(Path.Combine(h.Workspace, "kaggle", "kernels", "alice", result.Slug, "kernel-metadata.json")))!;
        Assert.Equal($"alice/{pushed.Slug}", Assert.Single(metadata["kernel_sources"]!.AsArray())!.ToString());
        var rows = result.Report.Rows().ToDictionary(r => r.Item);
        Assert.Equal("libtorch 2.10.0 · CUDA 12.8 · 3 libraries", rows["pinned runtime"].Value);
        // The fake has no GPU: the ladder ends at d, and says what it had.
        Assert.StartsWith("d: fails (image torch ", rows["device rung (gpu stage)"].Value);
        Assert.Contains("runtime 2.10.0", rows["device rung (gpu stage)"].Value);
        Assert.Contains(h.Log.Lines, l => l.Contains($"gpu kernels mount the pinned CUDA runtime alice/{pushed.Slug}"));
    }

    [Fact]
    public void The_runtime_script_names_the_version_and_cuda_and_its_slug_changes_with_them()
    {
        var script = PinnedRuntime.Script("2.10.0.1");

        Assert.Contains("\"libtorch\":\"2.10.0\"", script);
        Assert.Contains("\"cudaTag\":\"cu128\"", script);
        Assert.Contains("https://download.pytorch.org/whl/cu128", script);
        Assert.StartsWith("steelci-libtorch-2-10-0-cu128-", PinnedRuntime.KernelSlug(script, "2.10.0.1"));
        Assert.NotEqual(PinnedRuntime.KernelSlug(script, "2.10.0"), PinnedRuntime.KernelSlug(PinnedRuntime.Script("2.11.0"), "2.11.0"));
        Assert.True(PinnedRuntime.KernelSlug(script, "2.10.0").Length <= 50);
    }
}
