using System.Globalization;
using Spectre.Console;
using SteelCI.Running;
using SteelCI.State;

namespace SteelCI.Cli;

/// <summary>The table a run ends with: stage, status, wall time, main metric, where the outputs are.</summary>
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
            var outputs = stage.Location is null ? stage.Error ?? "" : Path.GetRelativePath(Environment.CurrentDirectory, stage.Location);
            table.AddRow(Markup.Escape(stage.Name), $"[{colour}]{status}[/]", stage.Wall.ToString(@"hh\:mm\:ss"),
                Markup.Escape(metric), Markup.Escape(outputs));
        }
        console.Write(table);
        foreach (var failed in summary.Stages.Where(s => s.Status == StageStatus.Failed))
            console.MarkupLine($"[red]{Markup.Escape(failed.Name)} failed:[/] {Markup.Escape(failed.Error ?? "")}");
        console.MarkupLine(summary.Succeeded
            ? $"[green]All stages finished.[/] Releases: {Markup.Escape(releases)}"
            : "[red]The pipeline did not finish.[/] Fix the failure above and run again: finished stages are reused.");
    }
}
