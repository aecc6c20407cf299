using SteelCI.Contracts;
using SteelCI.Ports;
using SteelCI.Scheduling.Estimates;
using SteelCI.Scheduling.Placement;
using SteelCI.State;
using SteelCI.Testing;

namespace SteelCI.Scheduling.Tests;

/// <summary>Speed estimates: measured from the recorded attempts, per stage and per account, the configured budget as the prior.</summary>
public sealed class EstimatesTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);
    private static readonly StageWork Seg = new("seg", 25, TimeSpan.FromMinutes(40), true, []);
    private readonly TempDirectory _dir = new("estimates");

    public void Dispose() => _dir.Dispose();

    private static RunState StateWith(params AttemptRecord[] attempts) => new()
    {
        Pipeline = "p",
        RunId = "r",
        Stages = { ["seg"] = new StageState { ContentKey = "k", Attempts = attempts.ToList() } },
    };

    private static AttemptRecord Measured(string account, int from, int done, double minutes, int number = 1) => new()
    {
        Slug = $"seg-{number}", Number = number, Backend = "kaggle", Account = account, State = AttemptState.Complete,
        StartedUtc = T0, EndedUtc = T0.AddMinutes(5 + minutes + 10), FromEpoch = from, EpochsDone = done, TrainedUtc = T0.AddMinutes(5 + minutes),
    };

    [Fact]
    public void A_state_written_before_the_new_fields_loads_and_measures_nothing()
    {
        var path = _dir.Combine("state.json");
        File.WriteAllText(path, """
            {"format":"steelci.state/1","pipeline":"p","runId":"r","stages":{"seg":{"contentKey":"k","status":"pending",
             "attempts":[{"slug":"seg-1","number":1,"backend":"kaggle","account":"ana","state":"complete",
             "startedUtc":"2026-11-28T00:00:00Z","endedUtc":"2026-11-28T11:00:00Z","plannedEpochs":16,
             "release":"p-seg-k-partial-e10"}]}}}
            """);

        var state = Json.Read<RunState>(path);
        var speeds = MeasuredSpeeds.From(state, TimeSpan.FromMinutes(5));

        Assert.Null(state.Stages["seg"].Attempts[0].FromEpoch);
        Assert.Null(speeds.Measured("seg"));
        Assert.Equal(Seg.PerEpoch, speeds.PerEpoch(Seg, "ana"));
    }

    [Fact]
    public void The_new_fields_survive_a_save_and_a_load()
    {
        var path = _dir.Combine("state.json");
        File.WriteAllText(path, Json.Serialize(StateWith(Measured("ana", 4, 14, 480))));

        var attempt = Json.Read<RunState>(path).Stages["seg"].Attempts[0];

        Assert.Equal((4, 14, T0.AddMinutes(485)), (attempt.FromEpoch!.Value, attempt.EpochsDone!.Value, attempt.TrainedUtc!.Value));
    }

    [Fact]
    public void Measured_times_are_per_stage_and_per_account_and_the_budget_stays_the_prior_elsewhere()
    {
        // ana trained epochs 0-10 in 480 min after start-up (48 min each), ben 10-12 in 60 min (30 min each).
        var speeds = MeasuredSpeeds.From(StateWith(Measured("ana", 0, 10, 480), Measured("ben", 10, 12, 60, 2)), TimeSpan.FromMinutes(5));

        Assert.Equal(TimeSpan.FromMinutes(540.0 / 12), speeds.Measured("seg"));
        Assert.Equal(TimeSpan.FromMinutes(48), speeds.PerEpoch(Seg, "ana"));
        Assert.Equal(TimeSpan.FromMinutes(30), speeds.PerEpoch(Seg, "ben"));
        Assert.Equal(TimeSpan.FromMinutes(45), speeds.PerEpoch(Seg, "cat")); // no epochs of its own: the stage's mean
        Assert.Equal(TimeSpan.FromMinutes(9), speeds.PerEpoch(new StageWork("other", 3, TimeSpan.FromMinutes(9), true, [])));
    }

    [Fact]
    public void The_placer_sizes_the_chunk_from_the_measured_speed()
    {
        var placer = new Placer(new SchedulerOptions());
        var stage = new StageProgress(Seg, 10, false);
        var ana = new AccountCapacity("ana", 2, TimeSpan.FromHours(30), T0.AddDays(7));
        var speeds = MeasuredSpeeds.From(StateWith(Measured("ana", 0, 10, 480)), TimeSpan.FromMinutes(5));

        var estimated = Assert.Single(placer.Place(T0, [stage], [ana]));
        var measured = Assert.Single(placer.Place(T0, [stage], [ana], speeds));

        // At the budget's 40 min the 15 epochs left fit one session (15 x 42 = 630 min); at the measured 48 min they
        // do not (15 x 50.4 = 756 min): 13 epochs in a window that ends 2 min before a tick, the rest in the next.
        Assert.Equal(15, estimated.Epochs);
        Assert.Equal(13, measured.Epochs);
        Assert.Equal(TimeSpan.FromMinutes(703), measured.DeadlineUtc - measured.StartUtc);
        Assert.Equal(T0 + TimeSpan.FromMinutes(5 + 13 * 48), measured.ExpectedEndUtc);
    }
}
