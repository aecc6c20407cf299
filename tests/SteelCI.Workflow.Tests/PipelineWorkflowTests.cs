using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using SteelCI.GitHub;
using SteelCI.GitHub.Fake;
using SteelCI.Kaggle.Fake;
using SteelCI.Local;
using SteelCI.State;
using SteelCI.Testing;
using Xunit.Abstractions;
using YamlDotNet.RepresentationModel;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace SteelCI.Workflow.Tests;

/// <summary>
/// Runs .github/workflows/pipeline.yml's <c>run:</c> steps the way Actions would, against the loopback fakes: the job's
/// <c>env</c> with every <c>${{ secrets.X }}</c> bound to a fake's credential, Actions' default variables
/// (GITHUB_REPOSITORY, GITHUB_API_URL → the GitHub fake), a scheduled run (no inputs) with the repository variable
/// <c>STEELCI_PROFILE: ci</c>, as a team sets it (the pipeline's own base values are sized for GPUs). The Advance step
/// (<c>dotnet tool restore &amp;&amp; dotnet cake --target=Advance …</c>) is executed as what the Cake target runs:
/// <c>steelci tick</c> from the steelci.dll built beside these tests, with the Cake arguments mapped as build.cake's
/// Advance task maps them, plus <c>--kaggle-url</c> (the only thing pointing at the Kaggle fake). <c>dotnet tool
/// restore</c> and Cake's Build dependency are not run. Every tick starts from a fresh workspace (only the trainer
/// build is kept, as a warm cache), as on a fresh runner: whatever carries the pipeline from tick to tick is on GitHub.
/// </summary>
public sealed class PipelineWorkflowTests(ITestOutputHelper output)
{
    private const string GitHubToken = "ghs_workflow_fake_token_31f2";
    private const string Repository = "team/severstal-ci";

    [Fact]
    public async Task The_Advance_step_ticked_repeatedly_against_the_fakes_moves_the_ci_pipeline_forward_with_its_state_on_github()
    {
        var workflow = Workflow.Load(SteelCI.Testing.Repository.File(".github", "workflows", "pipeline.yml"));
        var advance = Assert.Single(workflow.Runs, r => r.Contains("--target=Advance", StringComparison.Ordinal));
        Assert.DoesNotContain(workflow.Uses, u => u.StartsWith("actions/cache/", StringComparison.Ordinal)); // no workspace carried

        using var dir = new TempDirectory("workflow");
        await using var github = await FakeGitHubServer.StartAsync(new FakeGitHubOptions { Token = GitHubToken, Time = TimeProvider.System });
        await using var kaggle = await FakeKaggleServer.StartAsync(new FakeKaggleOptions
        {
            Time = TimeProvider.System, // the steelci process it serves runs on the real clock
            DataDirectory = dir.Combine("kaggle-fake"),
            QueueTime = TimeSpan.FromSeconds(1),
            DatasetProcessingTime = TimeSpan.FromSeconds(1),
            NotVisibleFor = TimeSpan.FromSeconds(1),
            Runner = new LocalKernelRunner(new SystemProcessRunner()),
        }, CancellationToken.None);

        // The job's env, secrets bound to the fakes: one Kaggle user per KAGGLE_API_TOKEN_<NAME> secret.
        var environment = new Dictionary<string, string>();
        foreach (var (name, value) in workflow.Env)
        {
            var secret = Regex.Match(value, @"^\$\{\{\s*secrets\.([A-Z0-9_]+)\s*\}\}$");
            if (!secret.Success)
            {
                // A scheduled run: no inputs; the repository variable names the profile.
                environment[name] = Workflow.Expand(value, new Dictionary<string, string>(), new Dictionary<string, string> { ["STEELCI_PROFILE"] = "ci" });
                continue;
            }
            var secretName = secret.Groups[1].Value;
            if (secretName == "GITHUB_TOKEN")
                environment[name] = GitHubToken;
            else if (secretName.StartsWith("KAGGLE_API_TOKEN_", StringComparison.Ordinal))
            {
                var user = secretName["KAGGLE_API_TOKEN_".Length..].ToLowerInvariant();
                var token = $"KGAT_workflow_{user}_7c1e";
                kaggle.State.AddUser(user, token);
                environment[name] = token;
            }
            else
                Assert.Fail($"the workflow uses secret {secretName}, which this test does not know how to fake");
        }
        Assert.Equal("kaggle1,kaggle2,kaggle3", environment["STEELCI_KAGGLE_ACCOUNTS"]);
        environment["GITHUB_REPOSITORY"] = Repository; // Actions' default variables
        environment["GITHUB_API_URL"] = github.ApiUri.ToString().TrimEnd('/');
        environment["GITHUB_ACTIONS"] = "true";
        environment["CI"] = "true";
        environment["STEELCI_GITHUB_WRITE_SPACING_MS"] = "0"; // the fake needs no second between writes (GitHub does)
        environment["GITHUB_WORKFLOW_REF"] = $"{Repository}/.github/workflows/pipeline.yml@refs/heads/main";
        environment["GITHUB_STEP_SUMMARY"] = dir.Combine("step-summary.md");
        var workflowOnGitHub = github.State.AddWorkflow("team", "severstal-ci", "pipeline.yml");

        var tick = Workflow.AdvanceAsTick(Workflow.Expand(advance, new Dictionary<string, string>(), new Dictionary<string, string>()));
        output.WriteLine($"Advance step: {advance}\nas: steelci {string.Join(' ', tick)}");
        Assert.Equal(["tick", "kernels/severstal/steelci.yml", "--backend", "kaggle", "--store", "github"], tick); // no demo by default
        Assert.Equal("ci", environment["STEELCI_PROFILE"]); // the tick reads it: the repository variable's profile

        // The pipeline file as the team has it, with one mistake: a stage param the trainer refuses (seg2's arch), so
        // that stage fails on Kaggle as a typo would make it fail, and the submission behind it waits. The copy names
        // the checkout's trainer by its full path; everything else is the repository's file.
        var original = File.ReadAllText(SteelCI.Testing.Repository.File("kernels", "severstal", "steelci.yml"));
        var fixedSpec = original.Replace("project: trainer/Severstal.Trainer.csproj",
            "project: " + SteelCI.Testing.Repository.File("kernels", "severstal", "trainer", "Severstal.Trainer.csproj"), StringComparison.Ordinal);
        const string ciStages = "\n  ci:\n    description: tiny but real; every end-to-end test uses it\n    datasets:\n      severstal: { images: 60, test_images: 4 }\n    stages:\n";
        Assert.Contains(ciStages, fixedSpec);
        var brokenSpec = fixedSpec.Replace(ciStages, ciStages + "      seg2: { params: { arch: resnet_typo } }\n", StringComparison.Ordinal);
        var spec = dir.Combine("steelci.yml");
        File.WriteAllText(spec, brokenSpec);

        var workspace = dir.Combine("ws");
        var clock = Stopwatch.StartNew();
        var ticks = new List<(int Done, int Running, int Failed)>();
        var total = 0;
        string lastTick = "";
        var charts = new List<(int Ran, int Planned)>(); // what each tick's Gantt chart drew
        // One scheduled run: a fresh runner, `steelci tick`, its summary line.
        (int Done, int Running, int Failed) Tick(string phase)
        {
            FreshRunner(workspace);
            var started = clock.Elapsed;
            var result = Steelci.Run(environment, [.. tick.Select(a => a == "kernels/severstal/steelci.yml" ? spec : a),
                "--workspace", workspace, "--kaggle-url", kaggle.BaseUrl.ToString()]);
            lastTick = result.Output;
            charts.Add(Regex.Match(result.Output, @"chart: (\d+) attempt\(s\) that ran and (\d+) planned session\(s\)") is { Success: true } c
                ? (int.Parse(c.Groups[1].Value), int.Parse(c.Groups[2].Value)) : (-1, -1));
            var line = Regex.Match(result.Output, @"tick: (\d+)/(\d+) done, (\d+) running, (\d+) failed or blocked");
            output.WriteLine($"{phase} tick {ticks.Count + 1} at {started.TotalSeconds:0}s ({(clock.Elapsed - started).TotalSeconds:0.0}s): exit {result.ExitCode}, " +
                (line.Success ? line.Value : "no summary"));
            Assert.True(line.Success, result.Output);
            Assert.Contains("tick: severstal, profile ci", result.Output); // the repository variable's profile, not the demo
            Assert.DoesNotContain(GitHubToken, result.Output);
            Assert.DoesNotContain("KGAT_workflow_", result.Output);
            Assert.False(File.Exists(Path.Combine(workspace, "state", "state.json")), "the tick wrote the state to the runner's disk");
            var counts = (int.Parse(line.Groups[1].Value), int.Parse(line.Groups[3].Value), int.Parse(line.Groups[4].Value));
            // 0 while nothing failed; 1 once a stage failed or is blocked (the tick's documented exit codes).
            Assert.True(result.ExitCode == (counts.Item3 == 0 ? 0 : 1), result.Output);
            total = int.Parse(line.Groups[2].Value);
            ticks.Add(counts);
            return counts;
        }
        // The next scheduled run comes once every kernel the ticks pushed has ended on the fake (its launcher printed its
        // end marker and the fake saw the process end): a condition on the real processes, not a length of time.
        async Task UntilKernelsEnd(string after)
        {
            var started = clock.Elapsed;
            Assert.True(await Eventually.Until(() =>
            {
                kaggle.AdvanceKernels();
                return new[] { "kaggle1", "kaggle2", "kaggle3" }.Sum(kaggle.State.ActiveSessions) == 0;
            }, TimeSpan.FromMinutes(10)), $"the kernels pushed by {after} did not end on the fake");
            output.WriteLine($"  kernels ended after {(clock.Elapsed - started).TotalSeconds:0.0}s");
        }

        // Until the pipeline stops moving: every stage but seg2 (failed) and the submission (blocked behind it) done.
        for (var n = 1; n <= 8; n++)
        {
            var (_, running, failed) = Tick("broken seg2:");
            if (running == 0 && failed > 0)
                break;
            await UntilKernelsEnd($"tick {n}");
        }
        Assert.Equal(9, total);
        Assert.True(ticks[0] is { Done: 0, Running: >= 1 }, "the first tick placed nothing");
        Assert.True(ticks.Count >= 3, $"{ticks.Count} ticks: the dataset, the stages that read it, then seg2's failure take three");
        Assert.Equal((7, 0, 2), ticks[^1]); // seg2 failed, the submission blocked behind it
        Assert.Contains("resnet_typo", lastTick); // the trainer's own error, from the kernel's log

        // Item 6: the failed stage opened one issue with its error and what to do; nothing else failed.
        var issue = Assert.Single(github.State.Issues("team", "severstal-ci"));
        Assert.Equal(("SteelCI: stage seg2 of severstal failed", "open"), (issue.Title, issue.State));
        Assert.Contains("resnet_typo", issue.Body);
        Assert.Contains("steelci retry seg2", issue.Body);
        Assert.Contains(GitHubFailureIssues.Label, issue.Labels);
        // Item 4: blocked on a person, the workflow switched its own schedule off.
        Assert.Contains("schedule: blocked on a person: seg2 failed", lastTick);
        Assert.Equal("disabled_manually", workflowOnGitHub.State);

        // The fix: the param corrected in the pipeline file, then what the issue says to run. retry resets seg2 and the
        // submission behind it, in the state on GitHub, and switches the schedule on again.
        File.WriteAllText(spec, fixedSpec);
        var retry = Steelci.Run(environment, ["retry", "seg2", spec, "--store", "github", "--workspace", workspace]);
        output.WriteLine($"retry at {clock.Elapsed.TotalSeconds:0}s: exit {retry.ExitCode}");
        Assert.True(retry.ExitCode == 0, retry.Output);
        Assert.Contains("Reset to pending: seg2, submission", retry.Output);
        Assert.Equal("active", workflowOnGitHub.State);

        // Tick after tick to the end: seg2 again, then the submission, then a tick that finds nothing left to do.
        for (var n = 1; n <= 6 && ticks[^1].Done < total; n++)
        {
            var (done, _, failed) = Tick("fixed:");
            Assert.Equal(0, failed);
            if (done < total)
                await UntilKernelsEnd($"tick {ticks.Count}");
        }
        output.WriteLine($"stages done/running/failed after each tick: {string.Join(", ", ticks.Select(t => $"{t.Done}/{t.Running}/{t.Failed}"))} of {total}");
        Assert.Equal((9, 0, 0), ticks[^1]);

        // The failure issue closed itself when seg2 succeeded; no other issue was opened.
        issue = Assert.Single(github.State.Issues("team", "severstal-ci"));
        Assert.Equal(("closed", "completed"), (issue.State, issue.StateReason));
        Assert.Contains(issue.Comments, c => c.StartsWith("`seg2` succeeded", StringComparison.Ordinal));
        // The schedule is off at the end: disabled when seg2 blocked the pipeline, enabled by retry, disabled when it finished.
        Assert.Contains("schedule: the pipeline is finished; workflow pipeline.yml disabled", lastTick);
        Assert.Equal("disabled_manually", workflowOnGitHub.State);
        Assert.Equal(["disabled_manually", "active", "disabled_manually"], workflowOnGitHub.History.Select(h => h.State));

        // The state lives in the GitHub fake: a draft release of state assets, no lease left behind.
        var stateRelease = Assert.Single(github.State.Releases("team", "severstal-ci"), r => r.Tag == "steelci-state-severstal");
        Assert.True(stateRelease.Draft);
        Assert.DoesNotContain(stateRelease.Assets, a => a.Name.StartsWith("lock-", StringComparison.Ordinal));
        Assert.InRange(stateRelease.Assets.Count(a => a.Name.StartsWith("state-", StringComparison.Ordinal)), 2, 40);
        // Item 6: each tick replaced the Gantt chart beside the state, and wrote it where the workflow's next step keeps it as
        // the run's artifact, whose link goes to the job summary: never a link to the draft, which readers cannot open
        // (the fake, like GitHub, serves browser downloads of published releases only).
        // The chart drew the forecast beside what ran: after the first tick the rest of the pipeline was planned (the
        // dataset running, eight stages to go), and the last tick's chart, the pipeline finished, plans nothing.
        Assert.True(charts[0] is { Ran: 1, Planned: >= 8 }, $"first chart: {charts[0]}");
        Assert.True(charts[^1] is { Ran: >= 9, Planned: 0 }, $"last chart: {charts[^1]}"); // every stage ran
        var chart = Assert.Single(stateRelease.Assets, a => a.Name == "gantt.png");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], github.State.AssetBytes(chart.Id).Take(4));
        Assert.Equal(github.State.AssetBytes(chart.Id), File.ReadAllBytes(Path.Combine(workspace, "gantt.png")));
        Assert.DoesNotContain("releases/download/steelci-state-severstal", File.ReadAllText(dir.Combine("step-summary.md")));
        using (var http = new HttpClient())
            Assert.Equal(System.Net.HttpStatusCode.NotFound,
                (await http.GetAsync(new Uri(github.BaseUri, "team/severstal-ci/releases/download/steelci-state-severstal/gantt.png"))).StatusCode);
        Assert.Contains("actions/upload-artifact@v4", workflow.Uses);
        var workflowText = File.ReadAllText(SteelCI.Testing.Repository.File(".github", "workflows", "pipeline.yml"));
        Assert.Contains($"path: {SteelCI.Cli.PipelineWorkflow.ChartPath("kernels/severstal/steelci.yml")}\n", workflowText);
        Assert.Equal(Path.Combine(SteelCI.Cli.Workspace.For(SteelCI.Testing.Repository.File("kernels", "severstal", "steelci.yml"), null).Root, "gantt.png"),
            Path.Combine(SteelCI.Testing.Repository.Root, SteelCI.Cli.PipelineWorkflow.ChartPath("kernels/severstal/steelci.yml"))); // the tick's default workspace
        Assert.Contains("steps.gantt.outputs.artifact-url", Assert.Single(workflow.Runs, r => r.Contains("GITHUB_STEP_SUMMARY", StringComparison.Ordinal)));
        var options = new GitHubStoreOptions
        {
            Owner = "team", Repository = "severstal-ci", Token = GitHubToken, ApiUrl = github.ApiUri, CacheDirectory = dir.Combine("cache"),
        };
        using var transfers = GitHubArtifactStore.CreateTransferClient();
        var state = await new GitHubStateStore(options, "severstal", transfers, TimeProvider.System).LoadAsync(CancellationToken.None);
        Assert.NotNull(state);
        Assert.All(state.Stages.Values, s => Assert.True(s.Status is StageStatus.Complete or StageStatus.Reused, $"{s.Status}"));
        Assert.Contains(state.Stages["seg2"].Attempts, a => a is { Handle: not null, State: Ports.AttemptState.Complete }); // the fixed one
        // Outputs were published as releases on the same fake, not into the runner's workspace: one per stage.
        var published = github.State.Releases("team", "severstal-ci").Where(r => !r.Draft).Select(r => r.Tag).ToList();
        Assert.Equal(9, published.Count(t => t.StartsWith("severstal-", StringComparison.Ordinal)));
        Assert.All(state.Stages.Values.SelectMany(s => s.Attempts).Where(a => a.Handle is not null),
            a => Assert.Contains(a.Account, new[] { "kaggle1", "kaggle2", "kaggle3" }));
        output.WriteLine($"whole test body: {clock.Elapsed.TotalSeconds:0}s");
    }

    /// <summary>What a new Actions runner has: the checkout and nothing else (the trainer build stays, as a warm cache).</summary>
    private static void FreshRunner(string workspace)
    {
        if (!Directory.Exists(workspace))
            return;
        foreach (var entry in Directory.EnumerateFileSystemEntries(workspace))
            if (Path.GetFileName(entry) != "trainer")
            {
                if (Directory.Exists(entry))
                    Directory.Delete(entry, recursive: true);
                else
                    File.Delete(entry);
            }
    }
}

/// <summary>The pipeline workflow's one job, read with YamlDotNet: its env, its steps' <c>run:</c> and <c>uses:</c>.</summary>
internal sealed record Workflow(IReadOnlyList<(string Name, string Value)> Env, IReadOnlyList<string> Runs, IReadOnlyList<string> Uses)
{
    public static Workflow Load(string path)
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(path))
            yaml.Load(reader);
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var job = Assert.Single(((YamlMappingNode)root["jobs"]).Children).Value as YamlMappingNode;
        Assert.NotNull(job);
        var env = ((YamlMappingNode)job["env"]).Children.Select(c => (((YamlScalarNode)c.Key).Value!, ((YamlScalarNode)c.Value).Value ?? "")).ToList();
        var steps = ((YamlSequenceNode)job["steps"]).Children.Cast<YamlMappingNode>().ToList();
        string? Scalar(YamlMappingNode step, string key) =>
            step.Children.TryGetValue(new YamlScalarNode(key), out var node) ? ((YamlScalarNode)node).Value : null;
        return new Workflow(env, steps.Select(s => Scalar(s, "run")).OfType<string>().ToList(), steps.Select(s => Scalar(s, "uses")).OfType<string>().ToList());
    }

    /// <summary>
    /// Evaluates the expressions a run line or an env value may hold: <c>${{ a || b || … }}</c> where each term is
    /// <c>inputs.NAME</c>, <c>vars.NAME</c> or <c>'text'</c> (the first non-empty wins, as in Actions; none: empty).
    /// </summary>
    public static string Expand(string run, IReadOnlyDictionary<string, string> inputs, IReadOnlyDictionary<string, string> vars)
    {
        string Term(string term) => Regex.Match(term.Trim(), @"^(?:inputs\.(?<input>\w+)|vars\.(?<var>\w+)|'(?<text>[^']*)')$") is { Success: true } m
            ? m.Groups["input"].Success ? inputs.GetValueOrDefault(m.Groups["input"].Value, "")
            : m.Groups["var"].Success ? vars.GetValueOrDefault(m.Groups["var"].Value, "") : m.Groups["text"].Value
            : throw new Xunit.Sdk.XunitException($"an expression this test cannot evaluate: {term}");
        var expanded = Regex.Replace(run, @"\$\{\{(?<terms>[^}]*)\}\}",
            m => m.Groups["terms"].Value.Split("||").Select(Term).FirstOrDefault(v => v.Length > 0) ?? "");
        Assert.DoesNotContain("${{", expanded);
        return expanded.Trim();
    }

    /// <summary>
    /// <c>dotnet tool restore &amp;&amp; dotnet cake --target=Advance --k=v …</c> as the <c>steelci tick</c> command line that
    /// build.cake's Advance task runs: the pipeline (default kernels/severstal/steelci.yml), then --profile, --backend,
    /// --store, --data when given (no profile: the tick reads $STEELCI_PROFILE, else the file's schedule.profile). Any other argument fails the test, so the mapping cannot silently drift.
    /// </summary>
    public static string[] AdvanceAsTick(string run)
    {
        var commands = run.Split("&&", StringSplitOptions.TrimEntries);
        Assert.Equal("dotnet tool restore", commands[0]);
        var cake = Assert.Single(commands, c => c.StartsWith("dotnet cake ", StringComparison.Ordinal));
        var arguments = cake["dotnet cake ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(a => Regex.Match(a, "^--([a-z]+)=(.*)$"))
            .Select(m => m.Success ? (m.Groups[1].Value, m.Groups[2].Value) : throw new Xunit.Sdk.XunitException($"unexpected Cake argument in '{cake}'"))
            .ToDictionary();
        Assert.Equal("Advance", arguments["target"]);
        var known = new[] { "target", "pipeline", "profile", "backend", "store", "data" };
        Assert.All(arguments.Keys, k => Assert.Contains(k, known));
        var tick = new List<string> { "tick", arguments.GetValueOrDefault("pipeline", "kernels/severstal/steelci.yml") };
        foreach (var key in new[] { "profile", "backend", "store", "data" })
            if (arguments.TryGetValue(key, out var value))
                tick.AddRange([$"--{key}", value]);
        return [.. tick];
    }
}

/// <summary>The steelci executable built beside these tests, as a separate process with exactly the given variables
/// for credentials (none inherited from the machine running the tests).</summary>
internal static class Steelci
{
    private static readonly string[] Scrubbed = ["GITHUB_TOKEN", "GH_TOKEN", "STEELCI_GITHUB_TOKEN", "STEELCI_GITHUB_REPOSITORY",
        "GITHUB_REPOSITORY", "GITHUB_API_URL", "KAGGLE_API_TOKEN", "KAGGLE_USERNAME", "KAGGLE_KEY", "STEELCI_KAGGLE_ACCOUNTS", "STEELCI_PROFILE"];

    public static SteelciProcess.Result Run(IReadOnlyDictionary<string, string> environment, string[] args)
    {
        var variables = Environment.GetEnvironmentVariables().Keys.OfType<string>()
            .Where(k => Scrubbed.Contains(k) || k.StartsWith("KAGGLE_", StringComparison.Ordinal))
            .ToDictionary(k => k, string? (_) => null);
        foreach (var (name, value) in environment)
            variables[name] = value;
        return SteelciProcess.Run(variables, TimeSpan.FromMinutes(4), args);
    }

}
