using ScottPlot;
using SteelCI.Scheduling.Simulation;

namespace SteelCI.Scheduling.Charts;

/// <summary>
/// A Gantt chart of a plan or of what happened: one lane per account session slot, one bar per session from its push
/// to its end, coloured by stage and labelled with the stage and its epochs; sessions that lost work are outlined red.
/// The x axis is hours from the start. With <c>forecastFrom</c> (what ran beside what is planned), sessions that start
/// at or after that moment are the forecast: drawn pale with a dashed outline, and a line marks "now".
/// </summary>
public static class GanttChart
{
    private static readonly string[] Palette =
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    /// <summary>Writes the chart as a PNG of <paramref name="width"/> by (lanes-dependent) height pixels; returns the lane names top to bottom.</summary>
    public static IReadOnlyList<string> Save(SimulationResult result, string title, string path, int width = 1600, DateTimeOffset? forecastFrom = null)
    {
        var lanes = Lanes(result.Sessions);
        var names = lanes.Select(l => l.Name).ToList();
        var stages = result.Sessions.Select(s => s.Stage).Distinct().ToList();
        var plot = new Plot();
        var bars = new List<Bar>();
        foreach (var (lane, index) in lanes.Select((l, i) => (l, i)))
            foreach (var session in lane.Sessions)
            {
                var lost = session.Reason is not (SessionEnd.Completed or SessionEnd.Running);
                var planned = session.Start >= forecastFrom;
                var fill = Color.FromHex(Palette[stages.IndexOf(session.Stage) % Palette.Length]);
                bars.Add(new Bar
                {
                    Position = lanes.Count - 1 - index,
                    ValueBase = (session.Start - result.Start).TotalHours,
                    Value = (session.End - result.Start).TotalHours,
                    FillColor = planned ? fill.WithAlpha(0.35) : fill,
                    LineColor = lost ? Colors.Red : planned ? Colors.Gray : Colors.Black,
                    LineWidth = lost ? 3 : 1,
                    LinePattern = planned ? LinePattern.Dashed : LinePattern.Solid,
                    Size = 0.8,
                    Label = $"{session.Stage} {session.FromEpoch + 1}-{session.FromEpoch + session.EpochsDone}{(planned ? " (plan)" : "")}",
                    CenterLabel = true,
                });
            }
        var plottable = plot.Add.Bars(bars);
        plottable.Horizontal = true;
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, lanes.Count).Select(i => (double)(lanes.Count - 1 - i)).ToArray(), names.ToArray());
        if (forecastFrom is { } now)
        {
            var line = plot.Add.VerticalLine((now - result.Start).TotalHours, 2, Colors.DarkRed, LinePattern.Dashed);
            line.Text = "now";
        }
        plot.Title(title);
        plot.XLabel(result.Finished is { } finished
            ? $"hours from {result.Start:yyyy-MM-dd HH:mm} UTC; finish +{(finished - result.Start).TotalHours:0.0} h"
            : $"hours from {result.Start:yyyy-MM-dd HH:mm} UTC; not finished");
        foreach (var (stage, i) in stages.Select((s, i) => (s, i)))
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = stage, FillColor = Color.FromHex(Palette[i % Palette.Length]) });
        plot.ShowLegend(Edge.Right);
        plot.Axes.SetLimitsX(0, Math.Max(1, result.Sessions.Select(s => (s.End - result.Start).TotalHours).DefaultIfEmpty(1).Max() * 1.02));
        plot.Axes.SetLimitsY(-0.6, lanes.Count - 0.4);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, width, 160 + 60 * Math.Max(1, lanes.Count));
        return names;
    }

    private sealed record Lane(string Name, List<SimulatedSession> Sessions);

    /// <summary>Each account's sessions in slots: a session goes to the first slot free at its start.</summary>
    private static List<Lane> Lanes(IReadOnlyList<SimulatedSession> sessions)
    {
        var lanes = new List<Lane>();
        foreach (var account in sessions.Select(s => s.Account).Distinct().Order(StringComparer.Ordinal))
        {
            var slots = new List<Lane>();
            foreach (var session in sessions.Where(s => s.Account == account).OrderBy(s => s.Start))
            {
                var slot = slots.FirstOrDefault(l => l.Sessions[^1].End <= session.Start);
                if (slot is null)
                    slots.Add(slot = new Lane($"{account} #{slots.Count + 1}", new List<SimulatedSession>()));
                slot.Sessions.Add(session);
            }
            lanes.AddRange(slots);
        }
        return lanes;
    }
}
