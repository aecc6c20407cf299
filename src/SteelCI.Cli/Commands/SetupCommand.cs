using System.CommandLine;
using Spectre.Console;

namespace SteelCI.Cli;

/// <summary>
/// <c>steelci setup github [pipeline] [--account NAME]… [--every MINUTES] [--profile NAME] [--no-doctor]</c>: writes or
/// updates the scheduled workflow for the team's Kaggle accounts (<see cref="GitHubSetup"/>), prints the secrets and
/// what each account owner must do, then runs the doctor checks it can. Running it twice changes nothing. Exit 0 once
/// the workflow is written or up to date (doctor's findings are printed, not the exit code: tokens usually live only
/// in the repository's secrets), 2 on bad arguments or pipeline file.
/// </summary>
public static class SetupCommand
{
    public static Command Create(CliServices services)
    {
        var pipeline = CommonOptions.Pipeline();
        var accounts = new Option<string[]>("--account")
        {
            Description = "A Kaggle account to lend (repeat for several); default: compute.kaggle.accounts in the pipeline file",
            AllowMultipleArgumentsPerToken = false,
        };
        var every = new Option<int?>("--every") { Description = "Minutes between scheduled ticks (5, 10, 15, 20, 30, 60, 120, ... 1440); default: schedule.every_minutes, else 30" };
        var profile = CommonOptions.Profile();
        profile.Description = "The profile the schedule trains, set as the repository variable STEELCI_PROFILE (default: schedule.profile in the pipeline file)";
        var noDoctor = new Option<bool>("--no-doctor") { Description = "Skip the doctor checks after writing the workflow" };
        var github = new Command("github", "Write the scheduled GitHub Actions workflow for the team's Kaggle accounts; print the secrets to create")
        {
            pipeline, accounts, every, profile, noDoctor,
        };
        github.SetAction((result, cancellationToken) => RunAsync(
            new GitHubSetup.Request(result.GetValue(pipeline)!, result.GetValue(accounts) ?? [], result.GetValue(every), result.GetValue(profile)),
            !result.GetValue(noDoctor), services, cancellationToken));
        return new Command("setup", "Set a repository up to train on the team's Kaggle accounts") { github };
    }

    public static async Task<int> RunAsync(GitHubSetup.Request request, bool doctor, CliServices services, CancellationToken cancellationToken)
    {
        var outcome = new GitHubSetup(services.Console).Apply(request);
        if (!doctor)
            return ExitCodes.Success;
        services.Console.WriteLine("Checks from here (steelci doctor; a token that lives only in the repository's secrets shows as missing):");
        var names = outcome.Accounts.Accounts.Select(a => a.Name).ToArray();
        await DoctorCommand.RunAsync(request.SpecPath, null, "github", new KaggleRunOptions.Values("kaggle", names, null, null), services, cancellationToken);
        return ExitCodes.Success;
    }
}
