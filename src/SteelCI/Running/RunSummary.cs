using SteelCI.State;

namespace SteelCI.Running;

public sealed record StageSummary(
    string Name,
    StageStatus Status,
    TimeSpan Wall,
    string? MetricName,
    double? MetricValue,
    string? Release,
    string? Location,
    string? Error);

public sealed record RunSummary(string Pipeline, string RunId, IReadOnlyList<StageSummary> Stages)
{
    public bool Succeeded => Stages.All(s => s.Status is StageStatus.Complete or StageStatus.Reused);
}
