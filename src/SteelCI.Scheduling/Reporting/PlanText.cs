using System.Globalization;
using System.Text;
using SteelCI.Scheduling.Placement;
using SteelCI.Scheduling.Simulation;
using static SteelCI.Scheduling.Reporting.Durations;

namespace SteelCI.Scheduling.Reporting;

/// <summary>
/// A plan (or a simulated run) as text: stage → account → session chunks with start and finish, the GPU hours each
/// account spends per quota week (start-up included), and the finish time.
/// </summary>
public static class PlanText
{
    public static string Format(string title, SimulationResult result, IReadOnlyList<StageWork> stages, TimeSpan refreshPeriod)
    {
        var text = new StringBuilder();
        text.AppendLine(title);
        text.AppendLine(result.Finished is { } finished
            ? Invariant($"Start {result.Start:yyyy-MM-dd HH:mm} UTC; finish {finished:yyyy-MM-dd HH:mm} UTC (+{Short(finished - result.Start)}) on {result.Accounts} account(s)")
            : Invariant($"Start {result.Start:yyyy-MM-dd HH:mm} UTC; NOT finished within the horizon: the accounts cannot run every stage"));
        text.AppendLine();
        text.AppendLine(Invariant($"{"stage",-12} {"#",2} {"account",-12} {"epochs",-16} {"start",-20} {"finish",-20} end"));
        foreach (var stage in stages)
        {
            var number = 0;
            foreach (var s in result.Sessions.Where(s => s.Stage == stage.Name).OrderBy(s => s.Start))
            {
                var epochs = s.FromExact is { } from && s.ToExact is { } to
                    ? Invariant($"{from:0.#}-{to:0.#} of {stage.Epochs}")
                    : s.EpochsDone == s.EpochsPlanned
                        ? $"{s.FromEpoch + 1}-{s.FromEpoch + s.EpochsPlanned} of {stage.Epochs}"
                        : $"{s.FromEpoch + 1}-{s.FromEpoch + s.EpochsPlanned} ({s.EpochsDone} kept)";
                text.AppendLine(Invariant($"{stage.Name,-12} {++number,2} {s.Account,-12} {epochs,-16} {At(result, s.Start),-20} {At(result, s.End),-20} {Describe(s)}"));
            }
        }

        var weeks = Math.Max(1, (int)Math.Ceiling(((result.Finished ?? result.Sessions.Select(s => s.End).DefaultIfEmpty(result.Start).Max()) - result.Start) / refreshPeriod));
        text.AppendLine();
        text.AppendLine("GPU hours per account and quota week (weeks from the start; start-up included):");
        text.AppendLine(Invariant($"{"account",-12} ") + string.Join(" ", Enumerable.Range(1, weeks).Select(w => Invariant($"{"week " + w,10}"))));
        foreach (var account in result.Sessions.Select(s => s.Account).Distinct().Order(StringComparer.Ordinal))
        {
            var use = new double[weeks];
            foreach (var s in result.Sessions.Where(s => s.Account == account))
                for (var w = 0; w < weeks; w++)
                {
                    var from = result.Start + refreshPeriod * w;
                    var overlap = Min(s.End, from + refreshPeriod) - Max(s.Start, from);
                    if (overlap > TimeSpan.Zero)
                        use[w] += overlap.TotalHours;
                }
            text.AppendLine(Invariant($"{account,-12} ") + string.Join(" ", use.Select(h => Invariant($"{h,8:0.00} h"))));
        }
        text.AppendLine();
        text.AppendLine(Invariant($"GPU time lost to cut-offs: {result.Lost.TotalMinutes:0} min in {result.CutOffs} session(s)"));
        return text.ToString();
    }

    private static string At(SimulationResult result, DateTimeOffset at) => Invariant($"{at:MM-dd HH:mm} (+{Short(at - result.Start)})");

    private static string Describe(SimulatedSession s) => s.Reason switch
    {
        SessionEnd.Completed => "done",
        SessionEnd.Running => "running",
        SessionEnd.TrainerDeadline => Invariant($"trainer deadline, {s.Lost.TotalMinutes:0} min lost"),
        SessionEnd.SessionLimit => Invariant($"stopped at the session limit, {s.Lost.TotalMinutes:0} min lost"),
        _ => Invariant($"stopped: quota exhausted, {s.Lost.TotalMinutes:0} min lost"),
    };

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}
