using SteelCI.Kaggle.Backend;
using SteelCI.Kaggle.Fake;
using SteelCI.Local;
using SteelCI.Ports;
using SteelCI.Testing;

namespace SteelCI.Kaggle.Tests;

/// <summary>The fake really runs the pushed kernel with python3, inputs mounted from the uploaded datasets.</summary>
public sealed class RehearsalTests
{
    private const string Script = """
        import json, os, sys
        MOUNT_ALIASES = json.loads(r'__ALIASES__')
        root = os.environ["STEELCI_INPUT_ROOT"]
        data = os.path.join(root, MOUNT_ALIASES["images"])
        rows = open(os.path.join(data, "train.csv")).read().splitlines()
        bundle = os.path.join(root, MOUNT_ALIASES["steelci-trainer-0123456789ab"])
        native = os.path.join(bundle, "runtimes", "linux-x64", "libnative.so")
        out = os.environ["STEELCI_WORKING_DIR"]
        os.makedirs(os.path.join(out, "nested"), exist_ok=True)
        with open(os.path.join(out, "nested", "rows.txt"), "w") as handle:
            handle.write(f"{len(rows)} {os.path.getsize(native)}")
        print("to stderr", file=sys.stderr)
        print("STEELCI-END status=complete manifest-sha256=none", flush=True)
        sys.exit(int(os.environ.get("FAIL", "0")))
        """;

    [Fact]
    public async Task A_pushed_kernel_runs_for_real_and_its_outputs_come_back()
    {
        await using var h = await Harness.StartAsync(o => o with { Runner = new LocalKernelRunner(new SystemProcessRunner()) });
        var backend = new KaggleBackend([h.Alice()], new KaggleBackendOptions { Workspace = h.Workspace, DatasetPollInterval = TimeSpan.FromSeconds(5) }, h.Time, h.Log);
        // A plain script (no kernel spec) is pushed as written: it is told its datasets' slugs as a real one would be.
        var sources = BackendTests.Package(h.Workspace, "x").Sources;
        var aliases = System.Text.Json.JsonSerializer.Serialize(sources.ToDictionary(s => s.Mount, DatasetPublisher.SlugFor));
        var package = BackendTests.Package(h.Workspace, "rehearsal-run-1", accelerator: "cpu", script: Script.Replace("__ALIASES__", aliases));
        var handle = await h.Drive(backend.SubmitAsync(package, CancellationToken.None));

        h.Time.Advance(TimeSpan.FromSeconds(6));
        AttemptStatus status = null!;
        await Eventually.Until(async () => (status = await backend.PollAsync(handle, CancellationToken.None)).IsFinished); // a real process

        Assert.Equal(AttemptState.Complete, status.State);
        var output = await backend.CollectAsync(handle, CancellationToken.None);
        Assert.Equal("2 100000", File.ReadAllText(Path.Combine(output.Directory, "nested", "rows.txt")));
        Assert.Contains("STEELCI-END status=complete", output.Log);
        Assert.Contains("to stderr", output.Log);
    }
}
