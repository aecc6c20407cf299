using System.Globalization;
using System.Text;
using SteelCI.Scheduling.Simulation;
using static SteelCI.Scheduling.Reporting.Durations;

namespace SteelCI.Scheduling.Reporting;

/// <summary>The simulator's table as Markdown, with the lower bound's terms spelled out.</summary>
public static class SimulationTable
{
    public static string Format(IReadOnlyList<BenchRow> rows, SimulationOptions options)
    {
        var s = options.Scheduler;
        var text = new StringBuilder();
        var stages = SeverstalPlan.Stages();
        text.AppendLine(Invariant($"Severstal plan: {string.Join(", ", stages.Select(w => $"{w.Name} {w.Epochs}x{w.PerEpoch.TotalMinutes:0.#} min ({w.Total.TotalHours:0.##} h)"))}; submission after all others."));
        text.AppendLine(Invariant($"Accounts: {SeverstalPlan.WeeklyQuota.TotalHours:0} GPU h/week each, refreshed every {options.RefreshPeriod.TotalDays:0} days from the start, no reserve, 2 sessions at once; sessions <= {Short(s.SessionLimit)}, {s.Startup.TotalMinutes:0} min start-up counted against quota; ticks every {options.Tick.TotalMinutes:0} min; epoch speed jitter +/-{options.Jitter * 100:0}% per session (seed {options.Seed})."));
        text.AppendLine();
        if (rows.Count > 0)
        {
            var b = rows[0].Bound;
            text.AppendLine("Lower bound = max(a, b):");
            text.AppendLine(Invariant($"  (a) critical path = {b.LongestStage} {Hours(b.LongestStageHours)} in ceil({b.LongestStageHours.TotalHours:0.##} / {(s.SessionLimit - s.Startup).TotalHours:0.##}) = {b.LongestStageSessions} sessions x {s.Startup.TotalMinutes:0} min + {b.FinalStage} with start-up {Hours(b.FinalWithStartup)} = {Hours(b.CriticalPath)}"));
            text.AppendLine(Invariant($"  (b) T + {b.FinalStage} ({Hours(b.FinalWithStartup)}), T = earliest time by which n accounts, each spending <= min(2 x elapsed in week, 30 h) per week, spend W = {Hours(b.Work)} ({b.WorkSessions} minimal sessions of start-up included)"));
            text.AppendLine();
        }
        text.AppendLine("| accounts | (a) critical path | (b) quota: T + final | lower bound | SteelCI makespan | SteelCI ratio | one account | one-account ratio | round-robin, quota ignored | round-robin ratio | GPU min lost to cut-offs (SteelCI / one / round-robin) | cut-offs (SteelCI / one / round-robin) | SteelCI's worst loss in one cut-off |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            var bound = row.Bound.Value;
            text.AppendLine(Invariant($"| {row.Accounts} | {Short(row.Bound.CriticalPath)} | {Short(row.Bound.QuotaTime)} + {Short(row.Bound.FinalWithStartup)} = {Short(row.Bound.QuotaBound)} | {Short(bound)} | {Span(row.Scheduler)} | {RatioOf(row.Scheduler, bound)} | {Span(row.OneAccount)} | {RatioOf(row.OneAccount, bound)} | {Span(row.RoundRobin)} | {RatioOf(row.RoundRobin, bound)} | {row.Scheduler.Lost.TotalMinutes:0} / {row.OneAccount.Lost.TotalMinutes:0} / {row.RoundRobin.Lost.TotalMinutes:0} | {row.Scheduler.CutOffs} / {row.OneAccount.CutOffs} / {row.RoundRobin.CutOffs} | {row.Scheduler.Sessions.Select(x => x.Lost.TotalMinutes).DefaultIfEmpty(0).Max():0} min |"));
        }
        return text.ToString();
    }

    private static string Span(SimulationResult result) => result.Makespan is { } m ? Short(m) : "not finished";
    private static string RatioOf(SimulationResult result, TimeSpan bound) => result.Makespan is { } m ? Ratio(m, bound) : "-";
    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}
