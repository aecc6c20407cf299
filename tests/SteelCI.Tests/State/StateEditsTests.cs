using SteelCI.Ports;
using SteelCI.State;

namespace SteelCI.Tests.State;

public sealed class StateEditsTests
{
    private static RunState Chain()
    {
        var state = new RunState { Pipeline = "p", RunId = "r" };
        state.Stages["a"] = new StageState { ContentKey = "k", Status = StageStatus.Failed, Error = "a failed: exit 1" };
        state.Stages["b"] = new StageState { ContentKey = "k", Status = StageStatus.Blocked, Error = "input 'a' did not finish" };
        state.Stages["c"] = new StageState { ContentKey = "k", Status = StageStatus.Blocked, Error = "input 'b' did not finish" };
        state.Stages["d"] = new StageState { ContentKey = "k", Status = StageStatus.Blocked, Error = "input 'x' did not finish" };
        return state;
    }

    private static IEnumerable<string> Inputs(string stage) => stage switch { "b" => ["a"], "c" => ["b"], "d" => ["x"], _ => [] };

    [Fact]
    public void Retry_resets_the_stage_and_everything_blocked_behind_it()
    {
        var state = Chain();
        Assert.Equal(["a", "b", "c"], StateEdits.Retry(state, "a", Inputs));
        Assert.All(new[] { "a", "b", "c" }, s => Assert.Equal(StageStatus.Pending, state.Stages[s].Status));
        Assert.Null(state.Stages["b"].Error);
        Assert.Equal(StageStatus.Blocked, state.Stages["d"].Status); // blocked by something else
    }

    [Fact]
    public void Retry_refuses_unknown_and_unfailed_stages_with_a_message()
    {
        var state = Chain();
        state.Stages["a"] = new StageState { ContentKey = "k", Status = StageStatus.Running };
        Assert.Equal("stage 'zz' is not recorded for p; recorded: a, b, c, d",
            Assert.Throws<InvalidOperationException>(() => StateEdits.Retry(state, "zz", Inputs)).Message);
        Assert.Contains("stage 'a' is running, not failed or blocked; nothing to retry (cancel it first: steelci cancel a)",
            Assert.Throws<InvalidOperationException>(() => StateEdits.Retry(state, "a", Inputs)).Message);
    }

    [Fact]
    public void Cancel_records_the_reason_and_is_not_counted_as_lost()
    {
        var stage = new StageState { ContentKey = "k", Status = StageStatus.Running };
        var attempt = new AttemptRecord { Slug = "s", Backend = "local", State = AttemptState.Running, Handle = new() { ["pid"] = "1" } };
        stage.Attempts.Add(attempt);
        var now = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        StateEdits.Cancel(stage, "seg1", attempt, now, "process tree killed");
        Assert.Equal(AttemptState.Cancelled, attempt.State);
        Assert.False(attempt.IsActive);
        Assert.Equal(now, attempt.EndedUtc);
        Assert.Equal(StageStatus.Failed, stage.Status);
        Assert.Equal(FailureClass.Cancelled, stage.Failure);
        Assert.Equal(FailureClass.Cancelled, attempt.Failure);
        Assert.Contains("`steelci retry seg1`", stage.Error);
        Assert.Equal(0, stage.Attempts.Count(a => a.State == AttemptState.Lost));
    }
}
