using Spectre.Console;
using SteelCI.GitHub;
using SteelCI.Scheduling.Charts;

namespace SteelCI.Cli;

/// <summary>
/// Each tick in Actions with the state on GitHub redraws the Gantt chart of what ran (every recorded attempt; running
/// ones drawn up to now) beside the forecast of what is still to run on the kaggle backend (<see cref="ActualAndForecastChart"/>:
/// pale, dashed bars after the "now" line) into the workspace's <c>gantt.png</c>, which the workflow keeps as the run's
/// artifact and links from the job summary, and replaces the state release's <c>gantt.png</c> (for `steelci` users with
/// write access).
/// </summary>
public static class TickChart
{
    public const string AssetName = "gantt.png";

    public static async Task RefreshAsync(IAnsiConsole console, CliServices services, Spec.Pipeline pipeline, Workspace workspace,
        CancellationToken cancellationToken)
    {
        if (pipeline.Store != "github" || Environment.GetEnvironmentVariable("GITHUB_ACTIONS") != "true")
            return;
        using var wiring = services.Store(pipeline.Store, workspace, _ => { });
        if (wiring.StateFor(pipeline.Name) is not GitHubStateStore state)
            return;
        var accounts = pipeline.Backend == "kaggle"
            ? KaggleAccounts.Resolve(pipeline.Compute.Kaggle, [], Environment.GetEnvironmentVariable).Enabled.Select(a => a.Settings).ToList()
            : [];
        var now = services.Time.GetUtcNow();
        if (await ActualAndForecastChart.BuildAsync(await state.LoadAsync(cancellationToken), pipeline, accounts, now, cancellationToken) is not { } drawn)
            return;
        var png = Path.Combine(workspace.Root, AssetName);
        var ran = drawn.Chart.Sessions.Count - drawn.Planned;
        GanttChart.Save(drawn.Chart, $"{pipeline.Name}: what ran ({ran} attempts)" +
            (drawn.Planned > 0 ? $" and the forecast ({drawn.Planned} sessions, a full week's quota assumed)" : ""), png, forecastFrom: now);
        var url = await state.ReplaceSideAssetAsync(AssetName, await File.ReadAllBytesAsync(png, cancellationToken), cancellationToken);
        // Not linked from the job summary: the state release is a draft, and "only users with push access will receive
        // listings for draft releases" (GitHub REST docs, List releases); the fake serves browser download URLs of
        // published releases only. The workflow keeps the png as the run's artifact and links that instead
        // (PipelineWorkflow: "Keep the Gantt chart"; actions/upload-artifact v4's artifact-url output, PR #496).
        console.WriteLine($"chart: {ran} attempt(s) that ran and {drawn.Planned} planned session(s), {png}; on the draft state release: {url}");
    }
}
