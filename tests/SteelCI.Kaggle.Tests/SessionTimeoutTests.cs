using SteelCI.Kaggle.Api;
using SteelCI.Kaggle.Backend;
using SteelCI.Kaggle.Fake;
using SteelCI.Ports;

namespace SteelCI.Kaggle.Tests;

/// <summary>
/// Kaggle ends a session at its <c>sessionTimeoutSeconds</c> with ERROR (kaggle-api.md §6). A trainer that hung or
/// overran loses that session's files; the backend reports it as lost work (retried from the last checkpoint), not as
/// the code's failure. An ERROR before the timeout stays the code's failure. Production's options on fake time.
/// </summary>
public sealed class SessionTimeoutTests
{
    private static async Task<AttemptStatus> RunAsync(TimeSpan trainerTime, TimeSpan session, bool succeeds = true)
    {
        await using var h = await Harness.StartAsync(o => o with
        {
            Runner = new ScriptedKernelRunner(o.Time, trainerTime, succeeds ? null : (_, _) => new ScriptedResult(false, ["Traceback"], "exit code 1")),
        });
        var backend = new KaggleBackend([h.Alice(new KaggleClientOptions { BaseUrl = h.Server.BaseUrl })],
            new KaggleBackendOptions { Workspace = h.Workspace }, h.Time, h.Log);
        var handle = await h.Drive(backend.SubmitAsync(BackendTests.Package(h.Workspace, "hang-test-aaaaaaaa-a1-00001", session: session), CancellationToken.None));
        return await BackendTests.RunToEnd(h, backend, handle, TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task A_trainer_that_outlives_its_session_timeout_is_lost_work_not_a_failure()
    {
        var status = await RunAsync(trainerTime: TimeSpan.FromHours(3), session: TimeSpan.FromHours(1));
        Assert.Equal(AttemptState.Lost, status.State);
        Assert.Contains("ended at its timeout of 1 h", status.Detail);
        Assert.Contains("redone from the last checkpoint", status.Detail);
    }

    [Fact]
    public async Task A_trainer_that_fails_before_its_timeout_is_the_codes_failure()
    {
        var status = await RunAsync(trainerTime: TimeSpan.FromMinutes(10), session: TimeSpan.FromHours(1), succeeds: false);
        Assert.Equal(AttemptState.Error, status.State);
        Assert.Equal("exit code 1", status.Detail);
    }
}
