using System.Globalization;
using Spectre.Console;
using SteelCI.Running;
using SteelCI.State;

namespace SteelCI.Cli;

/// <summary>
/// The table a run ends with: stage, status, wall time, main metric, where the outputs are; then one line of key
/// numbers per stage whose <c>metric</c> lists several.
/// </summary>
public static class SummaryTable
{
    public static void Write(IAnsiConsole console, RunSummary summary, string releases, bool interactive)
    {
        var table = new Table().Title($"{summary.Pipeline} · run {summary.RunId}")
            .Border(interactive ? TableBorder.Rounded : TableBorder.Ascii);
        table.AddColumns("stage", "status", "wall time", "metric", "outputs");
        foreach (var stage in summary.Stages)
        {
            var status = stage.Status.ToString().ToLowerInvariant();
            var colour = stage.Status switch
            {
                StageStatus.Complete or StageStatus.Reused => "green",
                StageStatus.Failed or StageStatus.Blocked => "red",
                _ => "yellow",
            };
            var metric = stage.MetricName is null ? "" :
                $"{stage.MetricName} = {stage.MetricValue?.ToString("0.####", CultureInfo.InvariantCulture) ?? "?"}";
            var outputs = stage.Location is null ? stage.Error ?? "" : Where(stage.Location);
            table.AddRow(Markup.Escape(stage.Name), $"[{colour}]{status}[/]", stage.Wall.ToString(@"hh\:mm\:ss"),
                Markup.Escape(metric), Markup.Escape(outputs));
        }
        console.Write(table);
        foreach (var listed in summary.Stages.Where(s => s.KeyMetrics.Count > 1)) // a stage whose metric lists several (eda)
            console.MarkupLine($"{Markup.Escape(listed.Name)} key numbers: {Markup.Escape(Metrics(listed))}");
        foreach (var failed in summary.Stages.Where(s => s.Status == StageStatus.Failed))
            console.MarkupLine($"[red]{Markup.Escape(failed.Name)} failed:[/] {Markup.Escape(failed.Error ?? "")}");
        console.MarkupLine(summary.Succeeded
            ? $"[green]All stages finished.[/] Releases: {Markup.Escape(releases)}"
            : "[red]The pipeline did not finish.[/] Fix the failure above and run again: finished stages are reused.");
    }

    /// <summary>A release's web address as it is; a folder relative to the current one.</summary>
    public static string Where(string location) =>
        Uri.TryCreate(location, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? location
            : Path.GetRelativePath(Environment.CurrentDirectory, location);

    /// <summary>"a = 1, b = 0.25": the stage's listed metrics, for a stage whose <c>metric</c> lists several.</summary>
    public static string Metrics(StageSummary stage) =>
        string.Join(", ", stage.KeyMetrics.Select(m => $"{m.Key} = {m.Value.ToString("0.####", CultureInfo.InvariantCulture)}"));
}
