using Microsoft.Extensions.Time.Testing;
using Severstal.Data;
using Severstal.Models;
using Severstal.Stages;
using SteelCI.Contracts;
using SteelCI.Testing;
using SteelCI.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Severstal.Trainer.Tests;

/// <summary>Mid-epoch checkpoints (before the deadline and every N minutes) that resume bit-exactly.</summary>
[Collection("torch")]
public sealed class ResumeTests
{
    static ResumeTests() => set_num_threads(1);

    private const int Epochs = 3, Height = 16, Width = 40, Batch = 4;

    /// <summary>18 samples in batches of 4: five steps per epoch, the last one short.</summary>
    private static readonly List<Sample> Samples = Enumerable.Range(0, 18).Select(i =>
    {
        var random = new Random(i);
        var pixels = new byte[Height * Width];
        random.NextBytes(pixels);
        var mask = pixels.Select(p => (byte)(p > 160 ? 1 : 0)).ToArray();
        return new Sample($"{i}.jpg", pixels, [null, null, i % 3 == 0 ? null : mask, null]);
    }).ToList();

    private sealed record Result(OutputStatus Status, int Done, Dictionary<string, Tensor> Weights, ResumeState? State, StageContext Context);

    /// <summary>
    /// A segmenter stage's loop with the real loader, flips, BCE+Dice and a warm-up + cosine LR schedule, one fake minute per step. Dropout-free
    /// models use no torch randomness, so noise from torch's generator is added to the input to make its state matter.
    /// </summary>
    private static Result Run(string output, string? resume, TimeSpan limit, double checkpointMinutes = 0, Action<int, int>? afterStep = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero));
        var context = Contexts.Create(output, resume, time, limit, Epochs, "seg3");
        manual_seed(11);
        var model = new UNet(2);
        var optimizer = optim.Adam(model.parameters(), 0.01);
        var loss = Training.SegmentationLoss(1, 1);
        var source = new PreloadedSamples(Samples, Height, Width);
        using var trainer = new StepTimer(new SampleTrainer(model, optimizer, source, Batch, seed: 5, prefetch: 2,
            (indices, flips, step) => Batches.Segmentation(source, indices, flips, step, 3, Height, Width),
            (logits, target) => loss(logits, target) + 0 * randn_like(logits).sum() + (logits * 0.001 * rand_like(logits)).mean(),
            _ => { }, schedule: new LearningRate("cosine", 0.01, Epochs, WarmupEpochs: 0.5)), time, afterStep);
        var (status, done) = EpochLoop.Run(context, model, optimizer, Epochs, seed: 5, trainer, TimeSpan.FromMinutes(checkpointMinutes));
        var weights = model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
        GC.KeepAlive(model);
        optimizer.Dispose();
        var resumeFile = Path.Combine(output, Checkpoint.Resume);
        return new Result(status, done, weights, File.Exists(resumeFile) ? Json.Read<ResumeState>(resumeFile) : null, context);
    }

    private sealed class StepTimer(SampleTrainer inner, FakeTimeProvider time, Action<int, int>? afterStep) : IStepTrainer, IDisposable
    {
        public int StepsPerEpoch => inner.StepsPerEpoch;
        public string DataOrder => inner.DataOrder;
        public void BeginEpoch(int epoch, int firstStep) => inner.BeginEpoch(epoch, firstStep);
        public double Step(int epoch, int step)
        {
            var loss = inner.Step(epoch, step);
            time.Advance(TimeSpan.FromMinutes(1));
            afterStep?.Invoke(epoch, step);
            return loss;
        }
        public IReadOnlyDictionary<string, double> EndEpoch(int epoch, double meanLoss, int steps) => inner.EndEpoch(epoch, meanLoss, steps);
        public void Dispose() => inner.Dispose();
    }

    private static void AssertSame(Result expected, Result actual, string what)
    {
        Assert.Equal((OutputStatus.Complete, Epochs), (actual.Status, actual.Done));
        foreach (var (name, tensor) in expected.Weights)
            Assert.True(tensor.eq(actual.Weights[name]).all().item<bool>(), $"{name} differs after {what}");
    }

    [Fact]
    public void Three_sessions_stopped_inside_epochs_by_the_deadline_end_bit_identical_to_one()
    {
        using var dir = new TempDirectory("midepoch");
        var straight = Run(dir.Combine("straight"), null, TimeSpan.FromHours(1));
        // 15 steps of one fake minute; a step is started only with 1.25 minutes left.
        var first = Run(dir.Combine("s1"), null, TimeSpan.FromMinutes(7));
        var second = Run(dir.Combine("s2"), dir.Combine("s1"), TimeSpan.FromMinutes(4.5));
        var third = Run(dir.Combine("s3"), dir.Combine("s2"), TimeSpan.FromHours(1));

        Assert.Equal((OutputStatus.Partial, 1, 1), (first.Status, first.Done, first.State!.Step)); // 6 steps: epoch 2, step 1
        Assert.NotNull(first.State.TorchRngState);
        Assert.Equal(ResumeState.CurrentFormat, first.State.Format);
        Assert.Equal("shuffle(seed*1000+epoch)+flips/n=18/batch=4", first.State.DataOrder);
        Assert.Equal((OutputStatus.Partial, 2, 0), (second.Status, second.Done, second.State!.Step)); // +4 steps: epoch boundary
        Assert.Null(third.State); // a finished stage keeps no resume files
        AssertSame(straight, third, "two mid-epoch stops");
        // One learning curve across the three sessions, equal to the uninterrupted run's (the losses are bit-identical too).
        var curve = File.ReadAllLines(dir.Combine("s3", LearningCurve.CsvFile));
        Assert.Equal(File.ReadAllLines(dir.Combine("straight", LearningCurve.CsvFile)), curve);
        Assert.Equal(["epoch,train_loss", "1,", "2,", "3,"], curve.Select(l => l[..(l.IndexOf(',') + 1)]).Select(l => l == "epoch," ? "epoch,train_loss" : l));
        Assert.True(new FileInfo(dir.Combine("s3", LearningCurve.PngFile)).Length > 0);
    }

    [Fact]
    public void A_periodic_checkpoint_lets_a_killed_session_resume_exactly()
    {
        using var dir = new TempDirectory("periodic");
        var straight = Run(dir.Combine("straight"), null, TimeSpan.FromHours(1));
        var killed = dir.Combine("killed");
        // Every 4 fake minutes a checkpoint and a partial manifest; after the 7th step the folder is copied, as a kill would leave it.
        var whole = Run(dir.Combine("whole"), null, TimeSpan.FromHours(1), checkpointMinutes: 4, afterStep: (epoch, step) =>
        {
            if (epoch * 5 + step != 6)
                return;
            Directory.CreateDirectory(killed);
            foreach (var file in Directory.GetFiles(dir.Combine("whole")))
                File.Copy(file, Path.Combine(killed, Path.GetFileName(file)));
        });
        var manifest = ManifestVerifier.Verify(killed);
        Assert.Equal(OutputStatus.Partial, manifest.Status);
        var state = Json.Read<ResumeState>(Path.Combine(killed, Checkpoint.Resume));
        Assert.Equal((0, 4), (state.EpochsDone, state.Step)); // written before the fifth step, 4 fake minutes after the start
        AssertSame(straight, whole, "periodic checkpoints");
        // Killed now, during the stage's final evaluation, the folder still holds the last periodic checkpoint whole: the
        // final curve waits beside it until the complete manifest, which leaves the resume files out and deletes them.
        var last = ManifestVerifier.Verify(dir.Combine("whole"));
        Assert.Equal((OutputStatus.Partial, 2), (last.Status, last.Progress.EpochsDone));
        Assert.Equal(3, File.ReadAllLines(dir.Combine("whole", LearningCurve.CsvFile)).Length); // header + epochs 1-2
        ManifestWriter.Write(whole.Context, StageOutcome.Complete(Epochs, new Dictionary<string, double> { ["val_dice"] = 0.5 }), "cpu");
        var final = ManifestVerifier.Verify(dir.Combine("whole"));
        Assert.Equal(OutputStatus.Complete, final.Status);
        Assert.DoesNotContain(final.Files, f => f.Path is Checkpoint.Resume or Checkpoint.Optimizer);
        Assert.False(File.Exists(dir.Combine("whole", Checkpoint.Resume)));
        Assert.False(File.Exists(dir.Combine("whole", Checkpoint.Optimizer)));
        Assert.Equal(File.ReadAllLines(dir.Combine("straight", LearningCurve.CsvFile)).Length,
            File.ReadAllLines(dir.Combine("whole", LearningCurve.CsvFile)).Length);
        Assert.Empty(Directory.GetFiles(dir.Combine("whole"), "*.tmp"));

        var resumed = Run(dir.Combine("after-kill"), killed, TimeSpan.FromHours(1));
        AssertSame(straight, resumed, "resuming a periodic checkpoint");
    }

    [Fact]
    public void A_mid_epoch_checkpoint_refuses_to_continue_on_other_data()
    {
        using var dir = new TempDirectory("otherdata");
        Run(dir.Combine("s1"), null, TimeSpan.FromMinutes(7));
        var state = Json.Read<ResumeState>(dir.Combine("s1", Checkpoint.Resume));
        File.WriteAllText(dir.Combine("s1", Checkpoint.Resume), Json.Serialize(state with { DataOrder = "shuffle(seed*1000+epoch)+flips/n=20/batch=4" }));
        var error = Assert.Throws<BadInputException>(() => Run(dir.Combine("s2"), dir.Combine("s1"), TimeSpan.FromHours(1)));
        Assert.Contains("cannot continue exactly", error.Message);
    }
}
