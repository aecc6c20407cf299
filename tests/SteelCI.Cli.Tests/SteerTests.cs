using SteelCI.Local;
using SteelCI.Kaggle.Fake;
using SteelCI.Ports;
using SteelCI.State;
using SteelCI.Testing;
using static SteelCI.Cli.Tests.Harness;

namespace SteelCI.Cli.Tests;

/// <summary>logs, cancel and retry against real local attempts (python3 processes) and the Kaggle fake.</summary>
public sealed class SteerTests : IDisposable
{
    private readonly Harness _h = new();

    public void Dispose() => _h.Dispose();

    /// <summary>A local attempt the way LocalBackend starts one: a python script that prints, sleeps, prints.</summary>
    private async Task<AttemptRecord> StartLocalAsync(string stage, string script)
    {
        var package = _h.Dir.Combine("package-" + stage);
        Directory.CreateDirectory(package);
        File.WriteAllText(Path.Combine(package, "run.py"), script);
        var backend = new LocalBackend(new SystemProcessRunner(), _h.WorkspaceRoot, 2, 1);
        var attempt = Attempt(stage, 1, AttemptState.Running, started: TimeProvider.System.GetUtcNow());
        var handle = await backend.SubmitAsync(new KernelPackage(attempt.Slug, package, "run.py", [], "cpu", TimeSpan.FromMinutes(5)), default);
        attempt.Handle = new Dictionary<string, string>(handle.Data);
        return attempt;
    }

    [Fact]
    public async Task Logs_follow_a_running_local_attempt_to_its_end()
    {
        var attempt = await StartLocalAsync("binary",
            "import time, sys\nprint('epoch 1 loss 0.5', flush=True)\ntime.sleep(1.5)\nprint('epoch 2 loss 0.25', flush=True)\n");
        await _h.SaveAsync(NewState(("binary", StageStatus.Running, [attempt])));

        var code = await LogsCommand.RunAsync(_h.Spec, _h.WorkspaceRoot, "binary", null, follow: true, TimeSpan.FromMilliseconds(50),
            NoKaggle, _h.Services(TimeProvider.System), default);

        Assert.Equal(0, code);
        Assert.Contains("epoch 1 loss 0.5", _h.Output);
        Assert.Contains("epoch 2 loss 0.25", _h.Output);
        Assert.Contains("-- attempt 1 ended, launcher exit code 0", _h.Output);
    }

    [Fact]
    public async Task Logs_name_what_is_missing()
    {
        var kaggle = Attempt("seg1", 1, AttemptState.Running, "kaggle", "alice",
            handle: new() { ["account"] = "alice", ["owner"] = "alice", ["kernel"] = "k", ["version"] = "1" });
        await _h.SaveAsync(NewState(("binary", StageStatus.Reused, []), ("seg1", StageStatus.Running, [kaggle])));

        Assert.Equal(2, await LogsCommand.RunAsync(_h.Spec, _h.WorkspaceRoot, "nope", null, false, TimeSpan.Zero, NoKaggle, _h.Services(TimeProvider.System), default));
        Assert.Contains("stage 'nope' is not recorded; recorded: binary, seg1", _h.Output);
        Assert.Equal(2, await LogsCommand.RunAsync(_h.Spec, _h.WorkspaceRoot, "binary", null, false, TimeSpan.Zero, NoKaggle, _h.Services(TimeProvider.System), default));
        Assert.Contains("stage 'binary' has no attempts (status reused)", _h.Output);
        Assert.Equal(2, await LogsCommand.RunAsync(_h.Spec, _h.WorkspaceRoot, "seg1", 7, false, TimeSpan.Zero, NoKaggle, _h.Services(TimeProvider.System), default));
        Assert.Contains("stage 'seg1' has no attempt 7; attempts: 1", _h.Output);
        // A running Kaggle attempt's log is read from its live stream, through the account it ran on.
        Environment.SetEnvironmentVariable("KAGGLE_API_TOKEN_DEFAULT", "KGAT_steer_default_0000");
        Assert.Equal(2, await LogsCommand.RunAsync(_h.Spec, _h.WorkspaceRoot, "seg1", null, false, TimeSpan.Zero, NoKaggle, _h.Services(TimeProvider.System), default));
        Assert.Contains("attempt 1 ran on Kaggle account 'alice', which is not configured; add --account alice", _h.Output);
    }

    [Fact]
    public async Task Cancel_kills_a_local_attempt_records_why_and_retry_starts_it_again()
    {
        var attempt = await StartLocalAsync("binary", "import time\nprint('training', flush=True)\ntime.sleep(120)\n");
        var blocked = new StageState { ContentKey = "k", Status = StageStatus.Pending };
        var state = NewState(("severstal", StageStatus.Complete, []), ("binary", StageStatus.Running, [attempt]));
        state.Stages["submission"] = blocked;
        await _h.SaveAsync(state);
        var pid = int.Parse(attempt.Handle!["pid"]);

        var code = await CancelCommand.RunAsync(_h.Spec, _h.WorkspaceRoot, "binary", NoKaggle, _h.Services(TimeProvider.System), default);

        Assert.Equal(0, code);
        Assert.Contains("binary: attempt 1 (severstal-binary-aaaaaaaa-a1-00001) cancelled: process tree killed; the work of this session", _h.Output);
        Assert.True(await ExitsAsync(pid), "the attempt's process was killed");
        var after = await _h.LoadAsync();
        Assert.Equal(AttemptState.Cancelled, after.Stages["binary"].Attempts[0].State);
        Assert.Equal(StageStatus.Failed, after.Stages["binary"].Status);
        Assert.Contains("`steelci retry binary`", after.Stages["binary"].Error);

        // A later run blocks the dependents; retry puts both back.
        after.Stages["submission"].Block("submission", "binary");
        await _h.SaveAsync(after);
        Assert.Equal(0, await RetryCommand.RunAsync(_h.Spec, _h.WorkspaceRoot, "binary", _h.Services(TimeProvider.System), default));
        Assert.Contains("Reset to pending: binary, submission", _h.Output);
        var retried = await _h.LoadAsync();
        Assert.Equal(StageStatus.Pending, retried.Stages["binary"].Status);
        Assert.Null(retried.Stages["submission"].Error);

        Assert.Equal(2, await RetryCommand.RunAsync(_h.Spec, _h.WorkspaceRoot, "severstal", _h.Services(TimeProvider.System), default));
        Assert.Contains("stage 'severstal' is complete, not failed or blocked; nothing to retry", _h.Output);
        Assert.Equal(0, await CancelCommand.RunAsync(_h.Spec, _h.WorkspaceRoot, null, NoKaggle, _h.Services(TimeProvider.System), default));
        Assert.Contains("Nothing to cancel", _h.Output);
    }

    [Fact]
    public async Task Cancel_and_retry_refuse_while_a_run_holds_the_lock()
    {
        await _h.SaveAsync(NewState(("binary", StageStatus.Failed, [])));
        await using var held = await _h.StateStore.LockAsync(default);
        var error = await Assert.ThrowsAsync<RunLockedException>(() =>
            RetryCommand.RunAsync(_h.Spec, _h.WorkspaceRoot, "binary", _h.Services(TimeProvider.System), default));
        Assert.Contains("another steelci run of this pipeline is in progress", error.Message);
    }

    [Fact]
    public async Task Cancel_on_kaggle_deletes_the_kernel_and_says_what_is_lost()
    {
        await using var fake = await FakeKaggleServer.StartAsync(new FakeKaggleOptions { Time = TimeProvider.System }, default);
        fake.State.AddUser("cathy", "KGAT_cathy_0123456789");
        Environment.SetEnvironmentVariable("KAGGLE_API_TOKEN_CANCELACCT", "KGAT_cathy_0123456789");
        var attempt = Attempt("seg1", 2, AttemptState.Running, "kaggle", "cancelacct",
            handle: new() { ["account"] = "cancelacct", ["owner"] = "cathy", ["kernel"] = "severstal-seg1-gone", ["version"] = "1" });
        attempt.ResumedFrom = "severstal-seg1-aaaaaaaaaaaa-partial-e004";
        await _h.SaveAsync(NewState(("seg1", StageStatus.Running, [attempt])));
        var kaggle = new KaggleRunOptions.Values("kaggle", ["cancelacct"], fake.BaseUrl.ToString(), null);

        var code = await CancelCommand.RunAsync(_h.Spec, _h.WorkspaceRoot, null, kaggle, _h.Services(TimeProvider.System), default);

        Assert.Equal(0, code);
        Assert.Equal(1, fake.State.Calls("DeleteKernel"));
        Assert.Contains("cathy/severstal-seg1-gone", _h.Output);
        Assert.Equal(AttemptState.Cancelled, (await _h.LoadAsync()).Stages["seg1"].Attempts[0].State);
    }

    private static Task<bool> ExitsAsync(int pid) =>
        Eventually.Until(() => !File.Exists($"/proc/{pid}/stat") || File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1].StartsWith('Z'));
}
