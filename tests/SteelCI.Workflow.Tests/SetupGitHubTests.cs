using System.Diagnostics;
using Spectre.Console;
using SteelCI.Cli;
using SteelCI.Local;
using SteelCI.Testing;

namespace SteelCI.Workflow.Tests;

/// <summary>
/// <c>steelci setup github</c>: the workflow it writes passes GitHub's own parser (@actions/languageservice, the linter
/// of tests/SteelCI.Scheduling.Tests/Workflows), names each account's secret, matches its committed snapshot, is
/// byte-identical when written twice, and is what this repository's own .github/workflows/pipeline.yml holds.
/// </summary>
public sealed class SetupGitHubTests : IDisposable
{
    private readonly TempDirectory _dir = new("setup");
    private readonly StringWriter _output = new();

    public void Dispose() => _dir.Dispose();

    private CliServices Services()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No, Out = new AnsiConsoleOutput(_output),
        });
        console.Profile.Width = 400;
        return new CliServices(TimeProvider.System, console, console, new SystemProcessRunner());
    }

    /// <summary>A fresh repository (a .git folder) with a pipeline file whose compute.kaggle section is <paramref name="kaggle"/>.</summary>
    private string Repository(string kaggle = "")
    {
        Directory.CreateDirectory(_dir.Combine("repo", ".git"));
        _dir.Write("repo/ml/trainer/T.csproj", "<Project />");
        return _dir.Write("repo/ml/steelci.yml", $"""
            version: 1
            name: team
            trainer: {"{"} project: trainer/T.csproj {"}"}
            backend: kaggle
            store: github
            {kaggle}
            profiles:
              small: {"{"} stages: {"{"} fit: {"{"} epochs: 1 {"}"} {"}"} {"}"}
            stages:
              fit: {"{"} entry: fit, accelerator: gpu, budget: {"{"} epochs: 4, minutes_per_epoch: 30 {"}"} {"}"}
            """);
    }

    private Task<int> SetupAsync(string spec, string[] accounts, int? every = null, string? profile = null) =>
        SetupCommand.RunAsync(new GitHubSetup.Request(spec, accounts, every, profile), doctor: false, Services(), default);

    [Fact]
    public async Task Three_accounts_give_a_workflow_githubs_parser_accepts_naming_their_secrets_and_a_second_run_changes_nothing()
    {
        var spec = Repository();
        Assert.Equal(0, await SetupAsync(spec, ["alice", "bob-2", "carol"]));
        var path = _dir.Combine("repo", ".github", "workflows", "pipeline.yml");
        var first = File.ReadAllBytes(path);
        var text = File.ReadAllText(path);

        foreach (var secret in new[] { "KAGGLE_API_TOKEN_ALICE", "KAGGLE_API_TOKEN_BOB_2", "KAGGLE_API_TOKEN_CAROL" })
        {
            Assert.Contains($"      {secret}: ${{{{ secrets.{secret} }}}}\n", text);
            Assert.Contains($"gh secret set {secret}\n", _output.ToString());
        }
        Assert.Contains("STEELCI_KAGGLE_ACCOUNTS: alice,bob-2,carol", text);
        Assert.Contains("--pipeline=ml/steelci.yml", text);
        Assert.Contains("a tick every 30 min (7,37 * * * *): 1,440 jobs a month, at least 1,440 Actions minutes", _output.ToString());
        Assert.Contains("Phone verification", _output.ToString());
        Assert.Contains("accept its rules", _output.ToString());
        var (code, lint) = Linter.Lint(path);
        Assert.True(code == 0, lint);
        Assert.Contains($"{path}: ok", lint);

        Assert.Equal(0, await SetupAsync(spec, ["alice", "bob-2", "carol"]));

        Assert.Equal(first, File.ReadAllBytes(path));
        Assert.Contains(".github/workflows/pipeline.yml is up to date; nothing changed.", _output.ToString());
        Assert.Equal([path], Directory.GetFiles(_dir.Combine("repo", ".github", "workflows"))); // no temporary file left
    }

    [Fact]
    public async Task Accounts_and_cadence_from_the_pipeline_file_match_the_committed_snapshot()
    {
        var spec = Repository("""
            schedule: { profile: small, every_minutes: 15 }
            compute:
              kaggle:
                accounts: [alice, { name: bob-2, reserve_hours: 6, sessions: 1 }]
            """);

        Assert.Equal(0, await SetupAsync(spec, []));

        var written = File.ReadAllText(_dir.Combine("repo", ".github", "workflows", "pipeline.yml"));
        Snapshot.Verify("tests/SteelCI.Workflow.Tests/Snapshots/setup-github-pipeline.yml.snap", written);
        Assert.DoesNotContain("STEELCI_KAGGLE_ACCOUNTS", written); // the tick reads the names from the pipeline file
        Assert.Contains("Profile: small (schedule.profile in the pipeline file)", _output.ToString());
        Assert.Contains("bob-2 (reserve 6 h, 1 session(s))", _output.ToString());
        Assert.Contains("2,880 jobs a month", _output.ToString());
    }

    [Fact]
    public async Task Bad_choices_are_refused_before_anything_is_written()
    {
        var spec = Repository();

        await Assert.ThrowsAsync<UsageException>(() => SetupAsync(spec, [])); // no accounts anywhere
        await Assert.ThrowsAsync<UsageException>(() => SetupAsync(spec, ["alice"], every: 7));
        await Assert.ThrowsAsync<UsageException>(() => SetupAsync(spec, ["alice"], profile: "demo"));

        Assert.False(Directory.Exists(_dir.Combine("repo", ".github")));
    }

    [Fact]
    public void This_repositorys_workflow_is_what_setup_writes_for_its_three_accounts()
    {
        var expected = PipelineWorkflow.Render(new PipelineWorkflow.Settings("kernels/severstal/steelci.yml", ["kaggle1", "kaggle2", "kaggle3"], false, 30));

        Assert.Equal(expected, File.ReadAllText(SteelCI.Testing.Repository.File(".github", "workflows", "pipeline.yml")));
    }
}

/// <summary>GitHub's own workflow parser (@actions/languageservice), installed as tests/SteelCI.Scheduling.Tests/Workflows installs it.</summary>
internal static class Linter
{
    private const string LanguageService = "@actions/languageservice@0.3.61";

    public static (int Code, string Output) Lint(params string[] files)
    {
        var folder = Environment.GetEnvironmentVariable("STEELCI_WFLINT_DIR") ?? Path.Combine(Path.GetTempPath(), "steelci-wflint-0.3.61");
        Directory.CreateDirectory(folder);
        foreach (var script in new[] { "lint.mjs", "register.mjs" })
            File.Copy(SteelCI.Testing.Repository.File("tests", "SteelCI.Scheduling.Tests", "Workflows", script), Path.Combine(folder, script), overwrite: true);
        if (!File.Exists(Path.Combine(folder, "node_modules", "@actions", "languageservice", "package.json")))
        {
            var (code, output) = Run("npm", ["install", "--no-audit", "--no-fund", "--prefix", folder, LanguageService], folder);
            Assert.True(code == 0, $"npm install {LanguageService} failed (node >= 20 and npm are needed on PATH):\n{output}");
        }
        return Run("node", ["--import", "./register.mjs", "lint.mjs", .. files], folder);
    }

    private static (int Code, string Output) Run(string program, IReadOnlyList<string> arguments, string directory)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{program} did not finish in 5 min");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
