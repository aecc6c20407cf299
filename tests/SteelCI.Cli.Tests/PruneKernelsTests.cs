using SteelCI.Ports;
using SteelCI.State;

namespace SteelCI.Cli.Tests;

public sealed class PruneKernelsTests
{
    private static AttemptRecord Attempt(string slug, AttemptState state, string account = "alice") => new()
    {
        Slug = slug, Backend = "kaggle", State = state, Account = account,
        Handle = new Dictionary<string, string> { ["account"] = account, ["owner"] = account + "-kaggle", ["kernel"] = slug, ["version"] = "1" },
    };

    [Fact]
    public void Only_kernels_of_finished_earlier_attempts_go_never_a_stage_s_last_or_a_running_one()
    {
        var state = new RunState { Pipeline = "severstal", RunId = "r" };
        state.Stages["seg3"] = new StageState
        {
            ContentKey = "k",
            Attempts = [Attempt("seg3-a1", AttemptState.Complete), Attempt("seg3-a2", AttemptState.Lost, "bob"), Attempt("seg3-a3", AttemptState.Complete)],
        };
        state.Stages["seg1"] = new StageState { ContentKey = "k", Attempts = [Attempt("seg1-a1", AttemptState.Running), Attempt("seg1-a2", AttemptState.Running)] };
        state.Stages["binary"] = new StageState { ContentKey = "k", Attempts = [Attempt("binary-a1", AttemptState.Complete)] };
        state.Stages["local"] = new StageState
        {
            ContentKey = "k",
            Attempts = [new AttemptRecord { Slug = "local-a1", Backend = "local", State = AttemptState.Complete, Handle = new() { ["pid"] = "1" } },
                        new AttemptRecord { Slug = "local-a2", Backend = "local", State = AttemptState.Complete }],
        };

        var old = PrunePlan.OldKernels(state);

        Assert.Equal([("seg3", "alice", "seg3-a1"), ("seg3", "bob", "seg3-a2")], old.Select(k => (k.Stage, k.Account, k.Kernel)));
        Assert.All(old, k => Assert.EndsWith("-kaggle", k.Owner));
        Assert.Empty(PrunePlan.OldKernels(null));
    }
}
