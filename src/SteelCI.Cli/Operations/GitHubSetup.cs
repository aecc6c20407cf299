using System.Globalization;
using Spectre.Console;
using SteelCI.Spec;

namespace SteelCI.Cli;

/// <summary>
/// What <c>steelci setup github</c> does: writes (or leaves alone, when it would not change) the scheduled workflow for
/// the team's accounts and cadence, and prints the secrets to create, the repository variable for the profile, what
/// each account's owner must do, and the monthly Actions minutes the cadence implies.
/// </summary>
public sealed class GitHubSetup(IAnsiConsole console)
{
    /// <param name="SpecPath">The pipeline file.</param>
    /// <param name="Accounts">--account names (else steelci.yml's compute.kaggle.accounts).</param>
    /// <param name="EveryMinutes">--every (else schedule.every_minutes, else 30).</param>
    /// <param name="Profile">--profile: printed as the repository variable to set (else schedule.profile).</param>
    public sealed record Request(string SpecPath, IReadOnlyList<string> Accounts, int? EveryMinutes, string? Profile);

    /// <summary>What was decided and written.</summary>
    public sealed record Outcome(string WorkflowPath, bool Changed, KaggleAccounts.Choice Accounts, int EveryMinutes, string? Profile);

    public Outcome Apply(Request request)
    {
        var specPath = Path.GetFullPath(request.SpecPath);
        var spec = SpecLoader.Load(specPath);
        var root = RepositoryRoot(Path.GetDirectoryName(specPath)!);
        var accounts = KaggleAccounts.Resolve(spec.Compute.Kaggle, request.Accounts, _ => null); // the file or --account, never this shell's variables
        if (accounts.Source.StartsWith("the default", StringComparison.Ordinal))
            throw new UsageException("no Kaggle accounts: list them in compute.kaggle.accounts of the pipeline file, or pass --account NAME for each");
        if (request.Profile is { } profile && !spec.Profiles.ContainsKey(profile))
            throw new UsageException($"--profile {profile}: not a profile of {request.SpecPath} (defined: {string.Join(", ", spec.Profiles.Keys)})");
        var every = request.EveryMinutes ?? spec.Schedule?.EveryMinutes ?? 30;
        var settings = new PipelineWorkflow.Settings(Path.GetRelativePath(root, specPath).Replace('\\', '/'),
            accounts.Accounts.Select(a => a.Name).ToList(), accounts.Source == "compute.kaggle.accounts", every);
        var text = PipelineWorkflow.Render(settings);
        var path = Path.Combine(root, PipelineWorkflow.RelativePath);
        var changed = !File.Exists(path) || File.ReadAllText(path) != text;
        if (changed)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temporary = path + ".tmp";
            File.WriteAllText(temporary, text);
            File.Move(temporary, path, overwrite: true); // whole or not at all
        }
        var outcome = new Outcome(path, changed, accounts, every, request.Profile ?? spec.Schedule?.Profile);
        Print(outcome, request.Profile is not null, root);
        return outcome;
    }

    private void Print(Outcome outcome, bool profileGiven, string root)
    {
        var relative = Path.GetRelativePath(root, outcome.WorkflowPath);
        console.WriteLine(outcome.Changed ? $"Wrote {relative}." : $"{relative} is up to date; nothing changed.");
        var jobs = PipelineWorkflow.JobsPerMonth(outcome.EveryMinutes);
        console.WriteLine($"Schedule: a tick every {outcome.EveryMinutes} min ({PipelineWorkflow.Cron(outcome.EveryMinutes)}): " +
            $"{jobs.ToString("N0", CultureInfo.InvariantCulture)} jobs a month, at least {jobs.ToString("N0", CultureInfo.InvariantCulture)} Actions minutes " +
            "(each job is billed at least 1 min; a private repository has 2,000 free minutes a month). Change it with --every MINUTES " +
            "or schedule.every_minutes in the pipeline file.");
        console.WriteLine(outcome.Profile is null
            ? "Profile: none, the pipeline's base values (set schedule.profile in the pipeline file, or the repository variable below, to train another)."
            : $"Profile: {outcome.Profile}" + (profileGiven ? " (as the repository variable below)." : " (schedule.profile in the pipeline file)."));
        if (profileGiven)
            console.WriteLine($"  gh variable set STEELCI_PROFILE --body {outcome.Profile}");
        console.WriteLine($"Kaggle accounts ({outcome.Accounts.Source}): {string.Join(", ", outcome.Accounts.Accounts.Select(Describe))}.");
        console.WriteLine("Secrets to create in the repository (Settings → Secrets and variables → Actions, or with gh; each asks for the token):");
        foreach (var account in outcome.Accounts.Accounts)
            console.WriteLine($"  gh secret set {account.Secret}");
        console.WriteLine("GITHUB_TOKEN is Actions' own; nothing to create for it.");
        console.WriteLine("What each account's owner does once, on kaggle.com:");
        console.WriteLine("  1. Settings → Phone verification: verify the phone number (without it the account has no GPU).");
        console.WriteLine("  2. Settings → API → Generate New Token: the KGAT_… token goes into that account's secret above (never into a file).");
        console.WriteLine("  3. Open the competition the pipeline reads (for Severstal: kaggle.com/c/severstal-steel-defect-detection) and accept its rules.");
        console.WriteLine("  4. Say how many GPU hours a week to keep (reserve_hours) and whether to lend 1 or 2 sessions (sessions) in compute.kaggle.accounts.");
    }

    private static string Describe(KaggleAccounts.Account account) =>
        account.Name + (account.ReserveHours > 0 ? $" (reserve {account.ReserveHours:0.#} h" : " (no reserve") +
        $", {account.Sessions} session(s)" + (account.Enabled ? ")" : ", disabled)");

    /// <summary>The repository the pipeline file is in: the nearest folder above it with .git.</summary>
    private static string RepositoryRoot(string from)
    {
        for (var directory = new DirectoryInfo(from); directory is not null; directory = directory.Parent)
            if (Directory.Exists(Path.Combine(directory.FullName, ".git")) || File.Exists(Path.Combine(directory.FullName, ".git")))
                return directory.FullName;
        throw new UsageException($"{from} is not in a git repository; run steelci setup github inside the repository that will run the workflow");
    }
}
