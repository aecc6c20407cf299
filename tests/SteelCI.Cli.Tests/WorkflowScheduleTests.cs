using SteelCI.Running;
using SteelCI.State;

namespace SteelCI.Cli.Tests;

/// <summary>When the scheduled workflow may switch itself off (issue 14 item 4): nothing runs and nothing can start.</summary>
public sealed class WorkflowScheduleTests
{
    private static RunSummary Summary(params StageStatus[] statuses) =>
        new("p", "r", statuses.Select((s, i) => new StageSummary($"s{i}", s, TimeSpan.Zero, null, null, null, null, null)).ToList());

    [Fact]
    public void A_finished_pipeline_rests() =>
        Assert.Equal("the pipeline is finished", WorkflowSchedule.RestReason(Summary(StageStatus.Complete, StageStatus.Reused)));

    [Fact]
    public void A_failure_with_the_rest_blocked_rests_and_names_the_retry() =>
        Assert.Equal("blocked on a person: s1 failed (fix it, then `steelci retry s1 --store github` switches the schedule on again)",
            WorkflowSchedule.RestReason(Summary(StageStatus.Complete, StageStatus.Failed, StageStatus.Blocked)));

    [Theory]
    [InlineData(StageStatus.Running)]
    [InlineData(StageStatus.Pending)] // waiting for quota or for its inputs: a later tick starts it
    public void A_stage_that_runs_or_waits_keeps_the_schedule_on(StageStatus status) =>
        Assert.Null(WorkflowSchedule.RestReason(Summary(StageStatus.Failed, status)));

    [Fact]
    public void An_empty_summary_does_not_rest() => Assert.Null(WorkflowSchedule.RestReason(Summary()));
}
