using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using SteelCI.Kaggle.Fake;
using SteelCI.Ports;
using SteelCI.State;
using static SteelCI.Cli.Tests.Harness;

namespace SteelCI.Cli.Tests;

public sealed class StatusTests : IDisposable
{
    private readonly Harness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task Status_shows_every_attempt_with_where_state_elapsed_and_expected_finish()
    {
        var running = Attempt("seg1", 2, AttemptState.Running, started: Start.AddMinutes(10));
        running.PlannedEpochs = 3;
        running.ResumedFrom = "severstal-seg1-aaaaaaaaaaaa-partial-e002";
        var lost = Attempt("seg1", 1, AttemptState.Lost);
        lost.Error = "the attempt's process ended without recording an exit code (killed?)";
        lost.Release = "severstal-seg1-aaaaaaaaaaaa-partial-e002";
        await _h.SaveAsync(NewState(("binary", StageStatus.Complete, [Attempt("binary", 1, AttemptState.Complete)]),
            ("seg1", StageStatus.Running, [lost, running]), ("submission", StageStatus.Pending, [])));
        var time = new FakeTimeProvider(Start.AddMinutes(40));

        var code = await StatusCommand.RunAsync(_h.Spec, _h.WorkspaceRoot, null, false, NoKaggle, _h.Services(time), default);

        Assert.Equal(0, code);
        var minutes = PipelineLoading.Load(_h.Spec, null, []).Node("seg1").MinutesPerEpoch;
        var expected = Start.AddMinutes(10 + 3 * minutes);
        Assert.Contains("#2 severstal-seg1-aaaaaaaa-a2-00002", _h.Output);
        Assert.Contains("running", _h.Output);
        Assert.Contains("30m00s", _h.Output); // elapsed of the running attempt at 10:40
        Assert.Contains("~" + expected.ToString("u"), _h.Output);
        Assert.Contains("killed?", _h.Output);
        Assert.Contains("submission", _h.Output);
        Assert.Contains("2/25 ep", _h.Output); // the partial checkpoint's epochs of the base profile's 25
    }

    [Fact]
    public async Task Json_is_machine_readable_and_the_markdown_goes_to_the_job_summary()
    {
        await _h.SaveAsync(NewState(("binary", StageStatus.Failed, [Attempt("binary", 1, AttemptState.Error)])));

        await StatusCommand.RunAsync(_h.Spec, _h.WorkspaceRoot, null, true, NoKaggle, _h.Services(new FakeTimeProvider(Start)), default);
        using var json = JsonDocument.Parse(_h.Output);
        var stage = json.RootElement.GetProperty("stages")[0];
        Assert.Equal("binary", stage.GetProperty("name").GetString());
        Assert.Equal("failed", stage.GetProperty("status").GetString());
        Assert.Equal("error", stage.GetProperty("attempts")[0].GetProperty("state").GetString());

        var summary = _h.Dir.Combine("summary.md");
        var env = (string name) => name == JobSummary.Variable ? summary : null;
        Assert.True(JobSummary.Append(StatusReport.Build(await _h.LoadAsync(), null, Start).ToMarkdown(), env));
        var markdown = File.ReadAllText(summary);
        Assert.Contains("| stage | status | attempt | where | state | elapsed | expected finish | note |", markdown);
        Assert.Contains("| binary | failed | #1 severstal-binary-aaaaaaaa-a1-00001 | local | error |", markdown);
        Assert.False(JobSummary.Append("x", _ => null)); // outside Actions: nothing written
    }

    [Fact]
    public async Task No_state_says_how_to_start()
    {
        var code = await StatusCommand.RunAsync(_h.Spec, _h.WorkspaceRoot, null, false, NoKaggle, _h.Services(TimeProvider.System), default);
        Assert.Equal(0, code);
        Assert.Contains("No run recorded", _h.Output);
        Assert.Contains("steelci run", _h.Output);
    }

    [Fact]
    public async Task With_the_kaggle_backend_status_shows_quota_left_per_account()
    {
        await using var fake = await FakeKaggleServer.StartAsync(new FakeKaggleOptions { GpuQuota = TimeSpan.FromHours(30), Time = TimeProvider.System }, default);
        fake.State.AddUser("stacy", "KGAT_stacy_0123456789");
        Environment.SetEnvironmentVariable("KAGGLE_API_TOKEN_STATUSACCT", "KGAT_stacy_0123456789");
        Environment.SetEnvironmentVariable("KAGGLE_API_TOKEN_STATUSBROKEN", "KGAT_nobody_0000000000");
        var running = Attempt("seg1", 1, AttemptState.Running, "kaggle", "statusacct");
        await _h.SaveAsync(NewState(("seg1", StageStatus.Running, [running])));
        var kaggle = new KaggleRunOptions.Values("kaggle", ["statusacct", "statusbroken"], fake.BaseUrl.ToString(), null);

        var code = await StatusCommand.RunAsync(_h.Spec, _h.WorkspaceRoot, null, false, kaggle, _h.Services(TimeProvider.System), default);

        Assert.Equal(0, code);
        Assert.Contains("kaggle/statusacct", _h.Output);
        Assert.Contains("statusacct: 30 h GPU left of 30 h (reserve 0 h), 1 session(s) in use", _h.Output);
        Assert.Contains("statusbroken: quota unknown:", _h.Output);
        Assert.DoesNotContain("KGAT_", _h.Output);
    }
}
