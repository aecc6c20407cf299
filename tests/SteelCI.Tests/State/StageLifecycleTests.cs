using SteelCI.State;
using S = SteelCI.State.StageStatus;
using T = SteelCI.State.StageTransition;

namespace SteelCI.Tests.State;

/// <summary>The stage state machine: every legal move leads where the design says, every other one is refused.</summary>
public sealed class StageLifecycleTests
{
    /// <summary>The table written out independently of <see cref="StageState.Transitions"/> (docs/contracts.md, "Stage status").</summary>
    private static readonly (StageTransition Transition, StageStatus[] From, StageStatus To)[] Expected =
    [
        (T.Start, [S.Pending], S.Running),
        (T.Adopt, [S.Pending, S.Running], S.Running),
        (T.Complete, [S.Running], S.Complete),
        (T.Requeue, [S.Running], S.Pending),
        (T.Fail, [S.Running], S.Failed),
        (T.Block, [S.Pending], S.Blocked),
        (T.Retry, [S.Failed, S.Blocked], S.Pending),
        (T.Reuse, [S.Pending, S.Running, S.Complete, S.Reused], S.Reused),
        (T.TakePublished, [S.Pending], S.Complete),
        (T.Forget, [S.Pending, S.Running, S.Complete, S.Reused], S.Pending),
    ];

    public static TheoryData<StageTransition, StageStatus> Legal() =>
        Data(Expected.SelectMany(e => e.From.Select(from => (e.Transition, from))));

    public static TheoryData<StageTransition, StageStatus> Illegal() =>
        Data(Expected.SelectMany(e => Enum.GetValues<StageStatus>().Except(e.From).Select(from => (e.Transition, from))));

    private static TheoryData<StageTransition, StageStatus> Data(IEnumerable<(StageTransition, StageStatus)> rows)
    {
        var data = new TheoryData<StageTransition, StageStatus>();
        foreach (var (transition, from) in rows)
            data.Add(transition, from);
        return data;
    }

    [Fact]
    public void The_table_names_every_transition_once_as_written_here()
    {
        Assert.Equal(Enum.GetValues<StageTransition>().Order(), Expected.Select(e => e.Transition).Order());
        foreach (var (transition, from, to) in Expected)
        {
            Assert.Equal(from.Order(), StageState.Transitions[transition].From.Order());
            Assert.Equal(to, StageState.Transitions[transition].To);
        }
    }

    [Theory]
    [MemberData(nameof(Legal))]
    public void A_legal_transition_moves_the_stage(StageTransition transition, StageStatus from)
    {
        var stage = new StageState { ContentKey = "k", Status = from, Release = "old" };
        Apply(stage, transition);
        Assert.Equal(Expected.Single(e => e.Transition == transition).To, stage.Status);
        Assert.True(StageState.Allows(from, transition));
    }

    [Theory]
    [MemberData(nameof(Illegal))]
    public void An_illegal_transition_is_refused_with_the_stage_name_and_changes_nothing(StageTransition transition, StageStatus from)
    {
        var stage = new StageState { ContentKey = "k", Status = from, Release = "old", Error = "was" };
        var error = Assert.Throws<InvalidOperationException>(() => Apply(stage, transition));
        Assert.StartsWith($"stage 'seg1' cannot {transition.ToString().ToLowerInvariant()} while {from.ToString().ToLowerInvariant()} (only from ", error.Message);
        Assert.Equal(from, stage.Status);
        Assert.Equal("old", stage.Release);
        Assert.Equal("was", stage.Error);
        Assert.False(StageState.Allows(from, transition));
    }

    [Fact]
    public void Failing_records_the_class_and_retrying_clears_it()
    {
        var stage = new StageState { ContentKey = "k", Status = S.Running };
        stage.Fail("seg1", FailureClass.Lost, "3 attempts were lost; last: killed");
        Assert.Equal((S.Failed, FailureClass.Lost), (stage.Status, stage.Failure));
        stage.Retry("seg1");
        Assert.Equal((S.Pending, (FailureClass?)null, (string?)null), (stage.Status, stage.Failure, stage.Error));
        stage.Block("seg1", "binary");
        Assert.Equal((S.Blocked, FailureClass.Input, "input 'binary' did not finish"), (stage.Status, stage.Failure, stage.Error));
    }

    [Fact]
    public void Releases_follow_the_moves_that_name_them()
    {
        var stage = new StageState { ContentKey = "k", Status = S.Running };
        stage.Complete("seg1", "p-seg1-k");
        Assert.Equal("p-seg1-k", stage.Release);
        stage.Forget("seg1"); // reconciling: the release is gone
        Assert.Null(stage.Release);
        stage.Reuse("seg1", "p-seg1-k");
        Assert.Equal((S.Reused, "p-seg1-k"), (stage.Status, stage.Release));
    }

    private static void Apply(StageState stage, StageTransition transition)
    {
        const string name = "seg1";
        switch (transition)
        {
            case T.Start: stage.Start(name); break;
            case T.Adopt: stage.Adopt(name); break;
            case T.Complete: stage.Complete(name, "p-seg1-k"); break;
            case T.Requeue: stage.Requeue(name); break;
            case T.Fail: stage.Fail(name, FailureClass.Code, "exit 1"); break;
            case T.Block: stage.Block(name, "binary"); break;
            case T.Retry: stage.Retry(name); break;
            case T.Reuse: stage.Reuse(name, "p-seg1-k"); break;
            case T.TakePublished: stage.TakePublished(name, "p-seg1-k"); break;
            case T.Forget: stage.Forget(name); break;
            default: throw new ArgumentOutOfRangeException(nameof(transition), transition, "a transition this test does not know");
        }
    }
}
