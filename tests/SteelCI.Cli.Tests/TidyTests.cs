using Microsoft.Extensions.Time.Testing;
using SteelCI.GitHub.Fake;
using SteelCI.Kaggle.Api;
using SteelCI.Kaggle.Fake;
using SteelCI.Ports;
using SteelCI.Running;
using SteelCI.State;
using static SteelCI.Cli.Tests.Harness;

namespace SteelCI.Cli.Tests;

/// <summary>prune, doctor, the keep-alive warning and the exit codes that colour a failure.</summary>
public sealed class TidyTests : IDisposable
{
    private readonly Harness _h = new();

    public void Dispose() => _h.Dispose();

    private const string Ds = "severstal-severstal-111111111111";
    private const string DsOld = "severstal-severstal-000000000000";

    private void Releases()
    {
        _h.Release(DsOld, "severstal", Start.AddDays(-9));
        _h.Release(Ds, "severstal", Start.AddDays(-1));
        _h.Release("severstal-seg1-aaaaaaaaaaa1", "seg1", Start.AddDays(-8), inputs: DsOld);
        _h.Release("severstal-seg1-aaaaaaaaaaa2", "seg1", Start.AddDays(-3), inputs: Ds);
        _h.Release("severstal-seg1-aaaaaaaaaaa3", "seg1", Start.AddDays(-2), inputs: Ds);
        _h.Release("severstal-seg1-aaaaaaaaaaa3-partial-e001", "seg1", Start.AddDays(-2.5), partial: true, epochs: 1);
        _h.Release("severstal-seg2-bbbbbbbbbbbb-partial-e001", "seg2", Start.AddDays(-1), partial: true, epochs: 1);
        _h.Release("severstal-seg2-bbbbbbbbbbbb-partial-e003", "seg2", Start.AddHours(-5), partial: true, epochs: 3);
    }

    [Fact]
    public async Task Prune_keeps_the_newest_per_stage_and_their_lineage_and_drops_finished_partials()
    {
        Releases();
        var failed = Attempt("seg1", 1, AttemptState.Error);
        var last = Attempt("seg1", 2, AttemptState.Complete);
        var state = NewState(("seg1", StageStatus.Complete, [failed, last]));
        state.Stages["seg1"].Release = "severstal-seg1-aaaaaaaaaaa1"; // what the state uses, however old
        await _h.SaveAsync(state);
        foreach (var slug in new[] { failed.Slug, last.Slug, "severstal-seg1-old-a1-99999" })
            _h.Dir.Write(Path.Combine("ws", "attempts", slug, "log.txt"), "log");

        var code = await PruneCommand.RunAsync(_h.Spec, _h.WorkspaceRoot, 1, dryRun: true, null, _h.Services(TimeProvider.System), default);
        Assert.Equal(0, code);
        Assert.Contains("would delete release severstal-seg1-aaaaaaaaaaa2  (older than the newest 1 of seg1)", _h.Output);
        Assert.Contains("would delete release severstal-seg1-aaaaaaaaaaa3-partial-e001  (partial checkpoint of a finished stage)", _h.Output);
        Assert.Contains("would delete release severstal-seg2-bbbbbbbbbbbb-partial-e001  (superseded by severstal-seg2-bbbbbbbbbbbb-partial-e003)", _h.Output);
        Assert.Contains("kept release severstal-seg2-bbbbbbbbbbbb-partial-e003  (newest checkpoint of an unfinished stage)", _h.Output);
        Assert.Contains("would delete attempts/severstal-seg1-aaaaaaaa-a1-00001/", _h.Output);
        Assert.Contains("would delete attempts/severstal-seg1-old-a1-99999/", _h.Output);
        Assert.True(Directory.Exists(_h.Dir.Combine("ws", "releases", "severstal-seg1-aaaaaaaaaaa2")), "a dry run deletes nothing");

        // Keep 1 of "severstal" would drop the old dataset, but the state's seg1 release is kept and names it as its input.
        Assert.Contains("kept release severstal-seg1-aaaaaaaaaaa1  (current release of seg1 in the state)", _h.Output);
        var plan = PrunePlan.Compute("severstal", await new SteelCI.Local.LocalArtifactStore(_h.Workspace.Releases, TimeProvider.System).ListAsync("severstal-", default), state, 1);
        var old = Assert.Single(plan, d => d.Release.Tag == DsOld);
        Assert.True(old.Keep);
        Assert.Equal("input of kept severstal-seg1-aaaaaaaaaaa1", old.Why);

        Assert.Equal(0, await PruneCommand.RunAsync(_h.Spec, _h.WorkspaceRoot, 1, dryRun: false, null, _h.Services(TimeProvider.System), default));
        var left = Directory.GetDirectories(_h.Workspace.Releases).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["severstal-seg1-aaaaaaaaaaa1", "severstal-seg1-aaaaaaaaaaa3", "severstal-seg2-bbbbbbbbbbbb-partial-e003", DsOld, Ds], left);
        Assert.Equal([last.Slug], Directory.GetDirectories(Path.Combine(_h.WorkspaceRoot, "attempts")).Select(Path.GetFileName));
        Assert.Equal(2, await PruneCommand.RunAsync(_h.Spec, _h.WorkspaceRoot, 0, false, null, _h.Services(TimeProvider.System), default));
        Assert.Contains("--keep 0: keep at least 1 release per stage", _h.Output);
    }

    [Fact]
    public async Task Prune_deletes_github_releases_through_the_api()
    {
        await using var github = await FakeGitHubServer.StartAsync(new FakeGitHubOptions { Token = "ghp_prune", Time = TimeProvider.System });
        Environment.SetEnvironmentVariable("GITHUB_REPOSITORY", null);
        var env = new Dictionary<string, string?>
        {
            ["STEELCI_GITHUB_REPOSITORY"] = "team/models", ["STEELCI_GITHUB_TOKEN"] = "ghp_prune",
            ["GITHUB_API_URL"] = github.ApiUri.ToString(), ["STEELCI_GITHUB_WRITE_SPACING_MS"] = "0",
        };
        foreach (var (k, v) in env)
            Environment.SetEnvironmentVariable(k, v);
        try
        {
            Releases();
            using (var store = _h.Services(TimeProvider.System).Store("github", _h.Workspace, _ => { }))
                foreach (var dir in Directory.GetDirectories(_h.Workspace.Releases))
                    await store.Store.PublishAsync(Path.GetFileName(dir), dir, false, default);

            Assert.Equal(0, await PruneCommand.RunAsync(_h.Spec, _h.WorkspaceRoot, 1, false, "github", _h.Services(TimeProvider.System), default));

            using var after = _h.Services(TimeProvider.System).Store("github", _h.Workspace, _ => { });
            var left = (await after.Store.ListAsync("severstal-", default)).Select(r => r.Tag).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(["severstal-seg1-aaaaaaaaaaa3", "severstal-seg2-bbbbbbbbbbbb-partial-e003", Ds], left);
        }
        finally
        {
            foreach (var k in env.Keys)
                Environment.SetEnvironmentVariable(k, null);
        }
    }

    [Fact]
    public async Task Doctor_passes_locally_and_names_each_problem_with_its_fix()
    {
        var code = await DoctorCommand.RunAsync(_h.Spec, _h.WorkspaceRoot, "local", NoKaggle, _h.Services(TimeProvider.System), default);
        Assert.Contains("| local | dotnet", _h.Output.Replace("|  ", "| ").Replace("  |", " |"));
        Assert.Contains("python3", _h.Output);
        Assert.Contains("GLIBCXX_3.4.", _h.Output);
        Assert.Contains("GiB free", _h.Output);
        Assert.Equal(0, code);

        // GLIBCXX detection on files of our own.
        var old = _h.Dir.Write("old/libstdc++.so.6", "xx GLIBCXX_3.4.29\0GLIBCXX_3.4.30\0 yy");
        var saved = DoctorCommand.LibStdCxxCandidates;
        try
        {
            DoctorCommand.LibStdCxxCandidates = [old];
            Assert.Contains("stops at GLIBCXX_3.4.30: the glibcxx fix is needed", DoctorCommand.LibStdCxx().Detail);
            DoctorCommand.LibStdCxxCandidates = [_h.Dir.Write("new/libstdc++.so.6", "GLIBCXX_3.4.32\0")];
            Assert.Contains("has GLIBCXX_3.4.32; the glibcxx fix is not needed", DoctorCommand.LibStdCxx().Detail);
            DoctorCommand.LibStdCxxCandidates = [_h.Dir.Combine("none")];
            Assert.Equal(DoctorCommand.Level.Warn, DoctorCommand.LibStdCxx().Level);
        }
        finally
        {
            DoctorCommand.LibStdCxxCandidates = saved;
        }
    }

    [Fact]
    public async Task Doctor_checks_each_kaggle_account_and_fails_on_a_refused_token()
    {
        await using var fake = await FakeKaggleServer.StartAsync(new FakeKaggleOptions { GpuQuota = TimeSpan.FromHours(30), Time = TimeProvider.System }, default);
        fake.State.AddUser("dora", "KGAT_dora_0123456789");
        Environment.SetEnvironmentVariable("KAGGLE_API_TOKEN_DOCGOOD", "KGAT_dora_0123456789");
        Environment.SetEnvironmentVariable("KAGGLE_API_TOKEN_DOCBAD", "KGAT_expired_000000000");
        var kaggle = new KaggleRunOptions.Values("kaggle", ["docgood", "docbad"], fake.BaseUrl.ToString(), null);

        var code = await DoctorCommand.RunAsync(_h.Spec, _h.WorkspaceRoot, "local", kaggle, _h.Services(TimeProvider.System), default);

        Assert.Equal(2, code);
        Assert.Contains("token valid for dora", _h.Output);
        Assert.Contains("30 h GPU left of 30 h, reserve 0 h, 0 session(s) in use by SteelCI", _h.Output);
        Assert.Contains("account docbad: token rejected by IntrospectToken", _h.Output);
        Assert.Contains("https://www.kaggle.com/settings", _h.Output);
        Assert.Contains("doctor: 1 problem(s) block a run", _h.Output);
        Assert.DoesNotContain("KGAT_", _h.Output);
    }

    [Fact]
    public async Task Doctor_checks_the_github_token_and_repository_access()
    {
        await using var github = await FakeGitHubServer.StartAsync(new FakeGitHubOptions { Token = "ghp_doctor", Time = TimeProvider.System });
        Environment.SetEnvironmentVariable("STEELCI_GITHUB_REPOSITORY", "team/models");
        Environment.SetEnvironmentVariable("GITHUB_API_URL", github.ApiUri.ToString());
        try
        {
            Environment.SetEnvironmentVariable("STEELCI_GITHUB_TOKEN", "ghp_doctor");
            Assert.Equal(0, await DoctorCommand.RunAsync(_h.Spec, _h.WorkspaceRoot, "github", NoKaggle, _h.Services(TimeProvider.System), default));
            Assert.Contains("token valid, can write releases (scopes repo)", _h.Output);

            Environment.SetEnvironmentVariable("STEELCI_GITHUB_TOKEN", "ghp_wrong");
            Assert.Equal(2, await DoctorCommand.RunAsync(_h.Spec, _h.WorkspaceRoot, "github", NoKaggle, _h.Services(TimeProvider.System), default));
            Assert.Contains("the token was refused (401)", _h.Output);
            Assert.DoesNotContain("ghp_", _h.Output);
        }
        finally
        {
            foreach (var k in new[] { "STEELCI_GITHUB_REPOSITORY", "GITHUB_API_URL", "STEELCI_GITHUB_TOKEN" })
                Environment.SetEnvironmentVariable(k, null);
        }
    }

    [Fact]
    public void Keep_alive_warns_from_50_days_after_the_last_commit()
    {
        var now = new DateTimeOffset(2027, 3, 1, 0, 0, 0, TimeSpan.Zero);
        Directory.CreateDirectory(_h.Dir.Combine("repo", ".git"));
        _h.Dir.Write("repo/.github/workflows/pipeline.yml", "on:\n  schedule:\n    - cron: '7 * * * *'\n");
        var directory = Directory.CreateDirectory(_h.Dir.Combine("repo", "kernels", "x")).FullName;
        Assert.Null(KeepAlive.Check(directory, now, now.AddDays(-20)));
        var warning = KeepAlive.Check(directory, now, now.AddDays(-55));
        Assert.NotNull(warning);
        Assert.Contains("55 days old", warning);
        Assert.Contains("in about 5 day(s)", warning);
        Assert.Contains("git commit --allow-empty", warning);
        File.Delete(_h.Dir.Combine("repo", ".github", "workflows", "pipeline.yml"));
        Assert.Null(KeepAlive.Check(directory, now, now.AddDays(-90))); // no scheduled workflow: nothing to say
    }

    [Fact]
    public void Exit_codes_separate_code_failures_from_infrastructure()
    {
        Assert.True(Infrastructure.Is(new KaggleSessionLimitException("no Kaggle account can take x now")));
        Assert.True(Infrastructure.Is(new KaggleTransientException("503", System.Net.HttpStatusCode.ServiceUnavailable, false)));
        Assert.False(Infrastructure.Is(new KaggleAuthException("token refused")));
        Assert.False(Infrastructure.Is(new InvalidDataException("bad manifest")));

        RunSummary Summary(params StageSummary[] stages) => new("severstal", "r", stages);
        StageSummary Row(StageStatus status, string? error = null) => new("seg1", status, TimeSpan.Zero, null, null, null, null, error);
        Assert.Equal(ExitCodes.Success, Infrastructure.ExitCode(Summary(Row(StageStatus.Complete)), null, true));
        Assert.Equal(ExitCodes.StageFailed, Infrastructure.ExitCode(Summary(Row(StageStatus.Failed, "seg1 failed: exit 1")), null, true));
        Assert.Equal(ExitCodes.Infrastructure, Infrastructure.ExitCode(Summary(Row(StageStatus.Failed, "3 attempts were lost; last: ...") with { Failure = FailureClass.Lost }), null, false));
        Assert.Equal(ExitCodes.Infrastructure, Infrastructure.ExitCode(Summary(Row(StageStatus.Failed, "watchdog") with { Failure = FailureClass.Watchdog }), null, false));
        // The class decides, not the words: a trainer whose own message mentions lost attempts is still a code failure.
        Assert.Equal(ExitCodes.StageFailed, Infrastructure.ExitCode(Summary(Row(StageStatus.Failed, "2 attempts were lost (the trainer says)") with { Failure = FailureClass.Code }), null, false));
        Assert.Equal(ExitCodes.StageFailed, Infrastructure.ExitCode(Summary(Row(StageStatus.Failed, "cancelled") with { Failure = FailureClass.Cancelled }), null, false));
        Assert.Equal(ExitCodes.Success, Infrastructure.ExitCode(Summary(Row(StageStatus.Running)), null, false));
        Assert.Equal(ExitCodes.StageFailed, Infrastructure.ExitCode(Summary(Row(StageStatus.Running)), null, true));
    }
}
