using SteelCI.Scheduling.Placement;

namespace SteelCI.Scheduling.Tests;

public sealed class PlacerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);
    private static readonly Placer Placer = new(new SchedulerOptions());
    private static readonly StageWork Seg = new("seg", 25, TimeSpan.FromMinutes(40), true, []);

    private static AccountCapacity Account(string name, double hours, int slots = 2) =>
        new(name, slots, TimeSpan.FromHours(hours), Now.AddDays(7));

    [Fact]
    public void A_chunk_is_the_epochs_that_fit_before_the_session_deadline()
    {
        // 12 h - 5 min margin = 715 min; not the stage's last chunk, so the deadline falls 2 min before a tick:
        // 47 x 15 - 2 = 703 min; 698 min after start-up at 40 x 1.05 = 42 min an epoch -> 16 epochs planned.
        var (epochs, window) = Placer.Chunk(new StageProgress(Seg, 0, false), TimeSpan.FromHours(30));

        Assert.Equal(16, epochs);
        Assert.Equal(TimeSpan.FromMinutes(703), window);
        // Unaligned (the accounts' hours cannot cover the work left), the window is all that fits: 715 min.
        Assert.Equal((16, TimeSpan.FromMinutes(715)), Placer.Chunk(new StageProgress(Seg, 0, false), TimeSpan.FromHours(30), Seg.PerEpoch, alignToTick: false));
    }

    [Fact]
    public void A_stages_last_chunk_gets_its_expected_time_and_the_slack_and_a_measured_speed_changes_the_chunk()
    {
        // 9 epochs left fit in one session: 5 + 9 x 40 x 1.25 = 455 min.
        Assert.Equal((9, TimeSpan.FromMinutes(455)), Placer.Chunk(new StageProgress(Seg, 16, false), TimeSpan.FromHours(30)));
        // Measured at 60 min an epoch: 9 x 63 = 567 min still fits, the deadline is 5 + 9 x 60 x 1.25 = 680 min.
        Assert.Equal((9, TimeSpan.FromMinutes(680)), Placer.Chunk(new StageProgress(Seg, 16, false), TimeSpan.FromHours(30), TimeSpan.FromMinutes(60)));
        // At 80 min an epoch only 8 fit (698 / 84): a chunk that is not the last one, aligned to the tick.
        Assert.Equal((8, TimeSpan.FromMinutes(703)), Placer.Chunk(new StageProgress(Seg, 16, false), TimeSpan.FromHours(30), TimeSpan.FromMinutes(80)));
    }

    [Fact]
    public void A_chunk_too_short_to_be_worth_its_start_up_is_not_started()
    {
        // 19 min affordable: 14 min of training after the 5 min start-up is under MinChunk (15 min); not the stage's last.
        Assert.Equal((0, TimeSpan.Zero), Placer.Chunk(new StageProgress(Seg, 0, false), TimeSpan.FromMinutes(19), TimeSpan.FromMinutes(4)));
        // The stage's last epoch is started however short.
        Assert.Equal(1, Placer.Chunk(new StageProgress(Seg with { PerEpoch = TimeSpan.FromMinutes(4) }, 24, false), TimeSpan.FromMinutes(19)).Epochs);
    }

    [Fact]
    public void A_chunk_is_the_epochs_the_account_can_still_afford()
    {
        var (epochs, window) = Placer.Chunk(new StageProgress(Seg, 20, false), TimeSpan.FromHours(3));

        Assert.Equal(4, epochs);
        Assert.True(window <= TimeSpan.FromHours(3));
        Assert.Equal((0, TimeSpan.Zero), Placer.Chunk(new StageProgress(Seg, 0, false), TimeSpan.FromMinutes(40)));
    }

    [Fact]
    public void A_stage_that_cannot_resume_runs_whole_or_not_at_all()
    {
        var final = new StageWork("final", 3, TimeSpan.FromHours(1), false, []);

        Assert.Equal(0, Placer.Chunk(new StageProgress(final, 0, false), TimeSpan.FromHours(2)).Epochs);
        Assert.Equal(3, Placer.Chunk(new StageProgress(final, 0, false), TimeSpan.FromHours(4)).Epochs);
        Assert.Null(Placer.Unplaceable(final));
        Assert.Contains("cannot resume", Placer.Unplaceable(final with { Epochs = 12 }));
    }

    [Fact]
    public void Placements_on_one_account_never_add_up_to_more_than_it_can_spend_or_more_sessions_than_its_cap()
    {
        var stages = Enumerable.Range(1, 4).Select(i => new StageProgress(Seg with { Name = $"seg{i}" }, 0, false)).ToList();

        var placements = Placer.Place(Now, stages, [Account("ana", 20)]);

        Assert.Equal(2, placements.Count);
        var charged = placements.Aggregate(TimeSpan.Zero, (sum, p) => sum + (p.DeadlineUtc - p.StartUtc));
        Assert.True(charged <= TimeSpan.FromHours(20), $"charged {charged}");
        Assert.True(placements[1].Epochs < placements[0].Epochs);
    }

    [Fact]
    public void A_stage_waits_for_its_inputs_and_a_running_stage_is_not_placed_twice()
    {
        var a = new StageWork("a", 2, TimeSpan.FromHours(1), true, []);
        var b = new StageWork("b", 2, TimeSpan.FromHours(1), true, []);
        var final = new StageWork("final", 1, TimeSpan.FromMinutes(30), false, ["a", "b"]);

        var placements = Placer.Place(Now, [new(a, 2, false), new(b, 1, true), new(final, 0, false)], [Account("ana", 30)]);
        Assert.Empty(placements);

        placements = Placer.Place(Now, [new(a, 2, false), new(b, 2, false), new(final, 0, false)], [Account("ana", 30)]);
        Assert.Equal("final", Assert.Single(placements).Stage);
    }

    [Fact]
    public void The_longest_remaining_path_goes_first_to_the_account_that_runs_most_of_it()
    {
        var longStage = new StageProgress(Seg with { Name = "long" }, 0, false);
        var shortStage = new StageProgress(Seg with { Name = "short", Epochs = 3 }, 0, false);

        var placements = Placer.Place(Now, [shortStage, longStage], [Account("small", 2, 1), Account("big", 30, 1)]);

        Assert.Equal(("long", "big", 16), (placements[0].Stage, placements[0].Account, placements[0].Epochs));
        Assert.Equal(("short", "small", 2), (placements[1].Stage, placements[1].Account, placements[1].Epochs));
    }

    [Fact]
    public void A_resumed_chunk_starts_from_the_last_checkpoint()
    {
        var placement = Assert.Single(Placer.Place(Now, [new StageProgress(Seg, 16, false)], [Account("ana", 30)]));

        Assert.Equal((16, 9), (placement.FromEpoch, placement.Epochs));
        Assert.Equal(Now + TimeSpan.FromMinutes(5 + 9 * 40), placement.ExpectedEndUtc);
    }
}
