using System.Globalization;
using System.Text;
using SteelCI.Scheduling.Estimates;
using SteelCI.Scheduling.Placement;

namespace SteelCI.Scheduling.Reporting;

/// <summary>Each stage's epoch time as configured beside what its sessions measured, and which one the plan uses.</summary>
public static class SpeedText
{
    public static string Format(IReadOnlyList<StageWork> configured, SpeedEstimates speeds)
    {
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine("Epoch times (configured budget.minutes_per_epoch vs measured by collected sessions; the plan uses the measured one where there is one):");
        foreach (var stage in configured)
            text.AppendLine(Line(stage, speeds));
        return text.ToString();
    }

    public static string Line(StageWork stage, SpeedEstimates speeds) => speeds.Measured(stage.Name) is { } measured
        ? Invariant($"  {stage.Name,-12} estimate {stage.PerEpoch.TotalMinutes,6:0.0} min  measured {measured.TotalMinutes,6:0.0} min over {speeds.MeasuredEpochs(stage.Name)} epoch(s) ({measured / stage.PerEpoch:0.00}x)")
        : Invariant($"  {stage.Name,-12} estimate {stage.PerEpoch.TotalMinutes,6:0.0} min  measured      - (no collected session yet)");

    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}
