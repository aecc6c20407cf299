using System.Globalization;
using System.Text;
using SteelCI.Spec;

namespace SteelCI.Cli;

/// <summary>
/// The scheduled workflow <c>steelci setup github</c> writes (.github/workflows/pipeline.yml): one reconcile tick per
/// run at the chosen cadence, one secret per Kaggle account, the profile from a dispatch's input, the repository
/// variable STEELCI_PROFILE or the pipeline file's schedule.profile (never the demo by accident). The same settings
/// give the same bytes, so writing it twice changes nothing.
/// </summary>
public static class PipelineWorkflow
{
    public const string RelativePath = ".github/workflows/pipeline.yml";

    /// <param name="Pipeline">The pipeline file, relative to the repository root, with '/'.</param>
    /// <param name="Accounts">The Kaggle account names, in order.</param>
    /// <param name="AccountsInFile">True when the names are steelci.yml's compute.kaggle.accounts (then the workflow need not list them).</param>
    /// <param name="EveryMinutes">Minutes between ticks (<see cref="ScheduleSpec.Cadences"/>).</param>
    public sealed record Settings(string Pipeline, IReadOnlyList<string> Accounts, bool AccountsInFile, int EveryMinutes);

    /// <summary>Scheduled jobs in a 30-day month; Actions bills each job at least one minute.</summary>
    public static int JobsPerMonth(int everyMinutes) => 30 * 24 * 60 / everyMinutes;

    /// <summary>The cron line: at minute 7 of each hour and every <paramref name="everyMinutes"/> after (off the busy top of the hour).</summary>
    public static string Cron(int everyMinutes)
    {
        if (!ScheduleSpec.Cadences.Contains(everyMinutes))
            throw new UsageException($"a tick every {everyMinutes} min: choose one of {string.Join(", ", ScheduleSpec.Cadences)} (a cron line keeps those exactly)");
        if (everyMinutes < 60)
            return string.Join(',', Enumerable.Range(0, 60 / everyMinutes).Select(i => (7 % everyMinutes + i * everyMinutes).ToString(CultureInfo.InvariantCulture))) + " * * * *";
        var hours = everyMinutes / 60;
        return hours == 24 ? "7 3 * * *" : hours == 1 ? "7 * * * *" : $"7 */{hours} * * *";
    }

    public static string Render(Settings settings)
    {
        var cadence = settings.EveryMinutes < 60 ? $"every {settings.EveryMinutes} min" : $"every {settings.EveryMinutes / 60} h";
        var jobs = JobsPerMonth(settings.EveryMinutes).ToString("N0", CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        text.Append($$$"""
            # The scheduled pipeline, written by `steelci setup github` (run it again to change the accounts or the cadence; it
            # rewrites this file). Every run is one reconcile tick, `dotnet cake --target=Advance` (`steelci tick`): poll the
            # Kaggle sessions, publish finished ones, place ready work on the accounts, persist. A tick never waits for
            # training; runs may be delayed, dropped, killed or doubled, and the next one catches up.
            name: pipeline

            on:
              schedule:
                - cron: '{{{Cron(settings.EveryMinutes)}}}'   # {{{cadence}}}: {{{jobs}}} jobs a month, at least {{{jobs}}} Actions minutes
              workflow_dispatch:
                inputs:
                  profile:
                    description: Profile to train (empty - vars.STEELCI_PROFILE, else schedule.profile in the pipeline file, else its base values)
                    type: string
                    default: ''

            # Releases (checkpoints, outputs) and the state (a draft release's assets) need write access to the repository's contents;
            # actions: write lets a tick disable this workflow once the pipeline is finished or blocked on a person (no more jobs
            # billed), and `steelci run` / `steelci retry` enable it again; issues: write lets a failed stage open one issue (its
            # error and what to do), which the stage's later success closes.
            permissions:
              contents: write
              actions: write
              issues: write

            # One tick at a time, never cancelled halfway through an upload; at most one more waits (docs: github-api.md §3.2).
            concurrency:
              group: steelci-pipeline-${{ github.repository }}
              cancel-in-progress: false

            jobs:
              advance:
                runs-on: ubuntu-22.04
                timeout-minutes: 60
                env:
                  DOTNET_CLI_TELEMETRY_OPTOUT: '1'
                  DOTNET_NOLOGO: '1'
                  # The profile a tick trains: a dispatch's input, else the repository variable, else schedule.profile in the pipeline file.
                  STEELCI_PROFILE: ${{ inputs.profile || vars.STEELCI_PROFILE }}
                  # One secret per lent Kaggle account (an API token; KAGGLE_USERNAME_<NAME>/KAGGLE_KEY_<NAME> are accepted too).

            """);
        if (!settings.AccountsInFile)
            text.Append($"      STEELCI_KAGGLE_ACCOUNTS: {string.Join(',', settings.Accounts)}\n");
        foreach (var secret in settings.Accounts.Select(KaggleAccountSpec.TokenSecretOf))
            text.Append($"      {secret}: ${{{{ secrets.{secret} }}}}\n");
        text.Append($$$"""
                  GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}
                steps:
                  - uses: actions/checkout@v4
                  - uses: actions/setup-dotnet@v4
                    with:
                      dotnet-version: 10.0.x
                  - uses: actions/cache@v4
                    with:
                      path: ~/.nuget/packages
                      key: nuget-${{ runner.os }}-${{ hashFiles('Directory.Packages.props', '**/*.csproj', '.config/dotnet-tools.json') }}
                      restore-keys: nuget-${{ runner.os }}-
                  # The steelci build and Cake's compiled script, keyed by their sources: Cake's Build skips a build stamped with
                  # the committed sources (build/steelci.cake), so a tick on an unchanged commit does not compile steelci again.
                  - uses: actions/cache@v4
                    with:
                      path: |
                        src/SteelCI.Cli/bin/Release
                        tools/cache
                      key: steelci-${{ runner.os }}-${{ hashFiles('src/**', 'Directory.Build.props', 'Directory.Build.targets', 'Directory.Packages.props', 'build.cake', 'build/**', '.config/dotnet-tools.json') }}
                  # The state (state.json) lives on GitHub, beside the checkpoints: assets of the draft release
                  # steelci-state-<pipeline>, one new asset per save, guarded by a lease (docs/scheduling.md). The runner's disk
                  # is thrown away after each tick; nothing is carried between runs.
                  - name: Advance the pipeline one tick
                    run: dotnet tool restore && dotnet cake --target=Advance --pipeline={{{settings.Pipeline}}} --backend=kaggle --store=github
                  # The Gantt chart the tick drew (what ran, and the forecast of the rest), kept as this run's artifact and linked
                  # from the job summary: anyone who can read the repository can open it. (The tick also puts it on the state
                  # release, but that release is a draft, which only people with write access can see.)
                  - name: Keep the Gantt chart
                    id: gantt
                    if: always()
                    uses: actions/upload-artifact@v4
                    with:
                      name: gantt
                      path: {{{ChartPath(settings.Pipeline)}}}
                      if-no-files-found: ignore
                      retention-days: 3
                  - name: Link the Gantt chart
                    if: always() && steps.gantt.outputs.artifact-url != ''
                    run: echo "**Gantt chart** of what ran and what is planned [gantt.png, zipped](${{ steps.gantt.outputs.artifact-url }})" >> "$GITHUB_STEP_SUMMARY"

            """);
        return text.ToString();
    }

    /// <summary>Where the tick writes its Gantt chart: <c>gantt.png</c> in the pipeline's default workspace (.steelci beside the file).</summary>
    public static string ChartPath(string pipeline)
    {
        var folder = pipeline.Contains('/') ? pipeline[..pipeline.LastIndexOf('/')] + "/" : "";
        return $"{folder}.steelci/{TickChart.AssetName}";
    }
}
