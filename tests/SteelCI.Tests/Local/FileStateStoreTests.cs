using SteelCI.Local;
using SteelCI.State;
using SteelCI.Testing;

namespace SteelCI.Tests.Local;

public sealed class FileStateStoreTests
{
    [Fact]
    public async Task State_round_trips_and_a_save_killed_halfway_leaves_the_previous_state()
    {
        using var dir = new TempDirectory("state");
        var store = new FileStateStore(dir.Path);
        var state = new RunState { Pipeline = "p", RunId = "r1" };
        state.Stages["train"] = new StageState { ContentKey = "k", Status = StageStatus.Complete, Release = "p-train-k" };
        await store.SaveAsync(state, default);
        File.WriteAllText(dir.Combine("state.json.0000.tmp"), "{ half written"); // what a kill during a save leaves

        await using (await store.LockAsync(default))
        {
            var loaded = await store.LoadAsync(default);
            Assert.Equal("p-train-k", loaded!.Stages["train"].Release);
            Assert.Equal(StageStatus.Complete, loaded.Stages["train"].Status);
        }
        Assert.False(File.Exists(dir.Combine("state.json.0000.tmp")));
    }

    [Fact]
    public async Task A_second_runner_is_refused_while_the_first_holds_the_lock()
    {
        using var dir = new TempDirectory("state");
        var store = new FileStateStore(dir.Path);

        await using (await store.LockAsync(default))
        {
            var error = await Assert.ThrowsAsync<RunLockedException>(() => new FileStateStore(dir.Path).LockAsync(default));
            Assert.Contains("another steelci run", error.Message);
        }
        await using (await store.LockAsync(default)) { } // released with the first holder
    }

    [Fact]
    public async Task A_corrupt_state_file_is_reported_with_its_path()
    {
        using var dir = new TempDirectory("state");
        File.WriteAllText(dir.Combine("state.json"), "[1,2");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => new FileStateStore(dir.Path).LoadAsync(default));
        Assert.Contains(dir.Combine("state.json"), error.Message);
    }
}
