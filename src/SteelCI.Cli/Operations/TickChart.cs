using Spectre.Console;
using SteelCI.GitHub;
using SteelCI.Scheduling.Charts;

namespace SteelCI.Cli;

/// <summary>
/// Each tick in Actions with the state on GitHub redraws the Gantt chart of what ran (every recorded attempt; running
/// ones drawn up to now) and replaces the state release's <c>gantt.png</c>; the job summary links it under the status
/// table. Not yet: the forecast of what is still to run on the same chart (`steelci plan` draws that one).
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
        if (ActualChart.From(await state.LoadAsync(cancellationToken), services.Time.GetUtcNow()) is not { } happened)
            return;
        var png = Path.Combine(workspace.Root, AssetName);
        GanttChart.Save(happened, $"{pipeline.Name}: what ran ({happened.Sessions.Count} attempts)", png);
        var url = await state.ReplaceSideAssetAsync(AssetName, await File.ReadAllBytesAsync(png, cancellationToken), cancellationToken);
        console.WriteLine($"chart: {url}");
        JobSummary.Append($"\n**Gantt chart** of what ran: [{AssetName}]({url}) (an asset of the draft release steelci-state-{pipeline.Name}; " +
            "open it while signed in with access to the repository)\n");
    }
}
