using System.Globalization;
using SteelCI.Ports;
using SteelCI.Testing;

namespace SteelCI.Slurm.Tests;

[CollectionDefinition(Name)]
public sealed class RealSlurmCollection : ICollectionFixture<LocalSlurm>
{
    public const string Name = "a real Slurm";
}

/// <summary>
/// The backend against a real Slurm 22.05 through slurmrestd v0.0.38: submit, poll, collect, cancel, requeue, a job
/// gone from Slurm's memory. The launchers are small Python scripts (the real launcher runs in the pipeline test).
/// The only waits are on the real Slurm, through Eventually.
/// </summary>
[Collection(RealSlurmCollection.Name)]
public sealed class RealSlurmTests(LocalSlurm slurm) : IDisposable
{
    private readonly HttpClient _http = new();
    private readonly string _shared = Path.Combine(slurm.Shared, Guid.NewGuid().ToString("N")[..8]);
    private readonly TempDirectory _here = new("slurm-pkg");

    private SlurmRestClient Client(SlurmOptions? options = null) => new(_http, options ?? slurm.Options(_shared), slurm.Variable);

    private SlurmBackend Backend() => new(Client(), new LocalClusterFiles(), slurm.Options(_shared));

    /// <summary>A kernel package whose launcher is <paramref name="launcher"/>, with one input folder.</summary>
    private KernelPackage Package(string slug, string launcher, string accelerator = "cpu", string key = "k1")
    {
        var kernel = Directory.CreateDirectory(_here.Combine("kernels", slug)).FullName;
        File.WriteAllText(Path.Combine(kernel, "launcher.py"), launcher);
        var data = _here.Write($"data-{key}/values.txt", "41\n");
        return new KernelPackage(slug, kernel, "launcher.py", [new KernelSource("numbers", Path.GetDirectoryName(data)!, key)],
            accelerator, TimeSpan.FromMinutes(10));
    }

    private const string Writes = """
        import os
        root, out = os.environ["STEELCI_INPUT_ROOT"], os.environ["STEELCI_WORKING_DIR"]
        value = int(open(os.path.join(root, "numbers", "values.txt")).read()) + 1
        open(os.path.join(out, "result.txt"), "w").write(f"{value} gpu={os.environ.get('CUDA_VISIBLE_DEVICES', 'none')} session={os.environ['STEELCI_SESSION_SECONDS']}\n")
        print("STEELCI-END status=complete manifest-sha256=none", flush=True)
        """;

    [Fact]
    public async Task The_API_version_is_read_from_the_server()
    {
        var client = Client();
        Assert.Equal("v0.0.38", (await client.DialectAsync(CancellationToken.None)).Version);
        Assert.Equal("22.05.8", await client.PingAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_gpu_job_runs_on_the_fake_gpu_and_its_outputs_are_collected()
    {
        var backend = Backend();
        var handle = await backend.SubmitAsync(Package("gpu-job", Writes, accelerator: "gpu"), CancellationToken.None);
        Assert.Equal(AttemptState.Complete, (await Jobs.EndedAsync(backend, handle)).State);
        var output = await backend.CollectAsync(handle, CancellationToken.None);
        Assert.Equal("42 gpu=0 session=600", File.ReadAllText(Path.Combine(output.Directory, "result.txt")).Trim());
        Assert.Contains("STEELCI-END status=complete", output.Log);
    }

    [Fact]
    public async Task Inputs_are_staged_once_per_content_key()
    {
        var backend = Backend();
        var first = await backend.SubmitAsync(Package("stage-a", Writes, key: "same-key"), CancellationToken.None);
        var staged = Path.Combine(_shared, "inputs", "same-key", "values.txt");
        var stamp = File.GetLastWriteTimeUtc(staged);
        var second = await backend.SubmitAsync(Package("stage-b", Writes, key: "same-key"), CancellationToken.None);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(staged));
        Assert.Single(Directory.EnumerateDirectories(Path.Combine(_shared, "inputs")));
        Assert.Equal(AttemptState.Complete, (await Jobs.EndedAsync(backend, first)).State);
        Assert.Equal(AttemptState.Complete, (await Jobs.EndedAsync(backend, second)).State);
    }

    [Fact]
    public async Task A_failing_launcher_is_the_code_s_failure_with_its_exit_code()
    {
        var backend = Backend();
        var handle = await backend.SubmitAsync(Package("fails", "import sys\nprint('boom')\nsys.exit(4)\n"), CancellationToken.None);
        var status = await Jobs.EndedAsync(backend, handle);
        Assert.Equal(AttemptState.Error, status.State);
        Assert.Contains("FAILED with exit code 4", status.Detail);
    }

    /// <summary>A launcher that runs until a file appears beside it (the test's signal), then writes its result.</summary>
    private static string WaitsFor(string signal) => $$"""
        import os, time
        print("started run", os.environ.get("SLURM_RESTART_COUNT", "0"), flush=True)
        while not os.path.exists("{{signal}}"):
            time.sleep(0.1)
        open(os.path.join(os.environ["STEELCI_WORKING_DIR"], "result.txt"), "w").write("restarts=" + os.environ.get("SLURM_RESTART_COUNT", "0"))
        """;

    [Fact]
    public async Task A_cancelled_job_is_lost_so_the_chunk_is_retried()
    {
        var backend = Backend();
        var handle = await backend.SubmitAsync(Package("cancel-me", WaitsFor(_here.Combine("never"))), CancellationToken.None);
        await Jobs.EndedAsync(backend, handle, s => s.State == AttemptState.Running);
        await backend.StopAsync(handle, CancellationToken.None);
        var status = await Jobs.EndedAsync(backend, handle);
        Assert.Equal(AttemptState.Lost, status.State);
        Assert.Contains("CANCELLED", status.Detail);
    }

    [Fact]
    public async Task A_requeued_job_is_followed_under_its_id_not_submitted_again()
    {
        var backend = Backend();
        var signal = _here.Combine("go");
        var handle = await backend.SubmitAsync(Package("requeue-me", WaitsFor(signal)), CancellationToken.None);
        await Jobs.EndedAsync(backend, handle, s => s.State == AttemptState.Running);
        var job = SlurmBackend.JobOf(handle).ToString(CultureInfo.InvariantCulture);
        await slurm.ControlAsync("requeue", job);
        var requeued = await Jobs.EndedAsync(backend, handle, s => s.State == AttemptState.Queued || s.IsFinished);
        Assert.Equal(AttemptState.Queued, requeued.State);
        Assert.Contains("requeued 1x", requeued.Detail);
        await slurm.ControlAsync("update", $"jobid={job}", "StartTime=now"); // else it waits out the requeue delay
        File.WriteAllText(signal, "");
        Assert.Equal(AttemptState.Complete, (await Jobs.EndedAsync(backend, handle)).State);
        var output = await backend.CollectAsync(handle, CancellationToken.None);
        Assert.Equal("restarts=1", File.ReadAllText(Path.Combine(output.Directory, "result.txt")));
    }

    [Fact]
    public async Task A_job_gone_from_Slurm_s_memory_is_read_from_what_it_left()
    {
        var backend = Backend();
        var directory = Directory.CreateDirectory(Path.Combine(_shared, "attempts", "gone")).FullName;
        var gone = new AttemptHandle("gone", new Dictionary<string, string> { ["job"] = "999999", ["directory"] = directory });
        var lost = await backend.PollAsync(gone, CancellationToken.None);
        Assert.Equal(AttemptState.Lost, lost.State);
        File.WriteAllText(Path.Combine(directory, SlurmBackend.ExitFile), "0\n");
        Assert.Equal(AttemptState.Complete, (await backend.PollAsync(gone, CancellationToken.None)).State);
        File.WriteAllText(Path.Combine(directory, SlurmBackend.ExitFile), "1\n");
        Assert.Equal(AttemptState.Error, (await backend.PollAsync(gone, CancellationToken.None)).State);
    }

    [Fact]
    public async Task A_wrong_token_is_refused_without_showing_it()
    {
        var client = new SlurmRestClient(_http, slurm.Options(_shared), _ => "not-a-jwt-secret-value");
        var error = await Assert.ThrowsAsync<SlurmException>(() => client.PingAsync(CancellationToken.None));
        Assert.DoesNotContain("not-a-jwt-secret-value", error.Message);
        Assert.Contains("STEELCI_TEST_SLURM_JWT", error.Message);
    }

    public void Dispose()
    {
        _http.Dispose();
        _here.Dispose();
    }
}
