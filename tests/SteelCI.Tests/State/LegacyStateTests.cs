using SteelCI.Local;
using SteelCI.Ports;
using SteelCI.State;
using SteelCI.Testing;

namespace SteelCI.Tests.State;

/// <summary>A state.json written before failure classes were recorded still loads, and learns the classes once.</summary>
public sealed class LegacyStateTests
{
    /// <summary>As steelci wrote it on 2026-11-30 (format steelci.state/1, no "failure" anywhere).</summary>
    private const string Before = """
        {
          "format": "steelci.state/1",
          "pipeline": "severstal",
          "runId": "20261130-101500-1e3e3e",
          "startedUtc": "2026-11-30T10:15:00+00:00",
          "updatedUtc": "2026-11-30T12:00:00+00:00",
          "trainerHash": "aaaa",
          "stages": {
            "severstal": { "contentKey": "k0", "status": "reused", "release": "severstal-severstal-k0", "lostWork": "00:00:00", "attempts": [] },
            "seg1": {
              "contentKey": "k1", "status": "failed", "error": "3 attempts were lost; last: watchdog: still running 31 min past its deadline",
              "lostWork": "01:00:00",
              "attempts": [
                { "slug": "severstal-seg1-k1-a1", "number": 1, "backend": "kaggle", "state": "lost", "startedUtc": "2026-11-30T10:15:00+00:00",
                  "handle": { "owner": "alice" }, "error": "the kernel vanished" },
                { "slug": "severstal-seg1-k1-a2", "number": 2, "backend": "kaggle", "state": "lost", "startedUtc": "2026-11-30T11:15:00+00:00",
                  "handle": { "owner": "alice" }, "error": "watchdog: still running 31 min past its deadline" }
              ]
            },
            "seg2": {
              "contentKey": "k2", "status": "failed", "error": "ValueError: bad shape; log ends: Traceback",
              "attempts": [ { "slug": "severstal-seg2-k2-a1", "number": 1, "backend": "local", "state": "error", "startedUtc": "2026-11-30T10:15:00+00:00",
                              "error": "ValueError: bad shape" } ]
            },
            "seg3": { "contentKey": "k3", "status": "failed", "error": "output refused: model.safetensors: sha256 differs", "attempts": [] },
            "seg4": { "contentKey": "k4", "status": "failed", "error": "cancelled at 2026-11-30 11:00:00Z (process tree killed); `steelci retry seg4` or `steelci run` starts it again", "attempts": [] },
            "submission": { "contentKey": "k5", "status": "blocked", "error": "input 'seg1' did not finish", "attempts": [] }
          }
        }
        """;

    [Fact]
    public async Task A_state_from_before_failure_classes_loads_with_classes_from_its_messages_and_saves_them()
    {
        using var dir = new TempDirectory("legacy-state");
        File.WriteAllText(dir.Combine("state.json"), Before);
        var store = new FileStateStore(dir.Path);

        var state = (await store.LoadAsync(default))!;

        Assert.Null(state.Stages["severstal"].Failure);
        Assert.Equal(FailureClass.Lost, state.Stages["seg1"].Failure);
        Assert.Equal([FailureClass.Lost, FailureClass.Watchdog], state.Stages["seg1"].Attempts.Select(a => a.Failure));
        Assert.Equal(FailureClass.Code, state.Stages["seg2"].Failure);
        Assert.Equal(FailureClass.Code, state.Stages["seg2"].Attempts[0].Failure);
        Assert.Equal(FailureClass.Output, state.Stages["seg3"].Failure);
        Assert.Equal(FailureClass.Cancelled, state.Stages["seg4"].Failure);
        Assert.Equal(FailureClass.Input, state.Stages["submission"].Failure);
        Assert.Equal(StageStatus.Failed, state.Stages["seg1"].Status);
        Assert.Equal(AttemptState.Lost, state.Stages["seg1"].Attempts[1].State);

        await using (await store.LockAsync(default))
            await store.SaveAsync(state, default);
        var saved = File.ReadAllText(dir.Combine("state.json"));
        Assert.Contains("\"failure\": \"lost\"", saved);
        Assert.Contains("\"failure\": \"watchdog\"", saved);
        var again = (await store.LoadAsync(default))!;
        Assert.Equal(FailureClass.Output, again.Stages["seg3"].Failure);
    }

    [Fact]
    public async Task A_recorded_class_wins_over_words_in_the_message()
    {
        using var dir = new TempDirectory("legacy-state");
        File.WriteAllText(dir.Combine("state.json"), """
            { "format": "steelci.state/1", "pipeline": "p", "runId": "r",
              "stages": { "a": { "contentKey": "k", "status": "failed", "failure": "code", "error": "the trainer says 2 attempts were lost" } } }
            """);
        var state = (await new FileStateStore(dir.Path).LoadAsync(default))!;
        Assert.Equal(FailureClass.Code, state.Stages["a"].Failure);
    }
}
