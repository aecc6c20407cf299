using Severstal.Data;
using Severstal.Models;
using Severstal.Stages;
using SteelCI.Testing;
using static TorchSharp.torch;

namespace Severstal.Trainer.Tests;

[Collection("torch")]
public sealed class ModelAndLoaderTests
{
    [Theory]
    [InlineData("resnet18", 32, 200)]
    [InlineData("resnet34", 64, 400)]
    [InlineData("small", 32, 200)]
    public void Every_architecture_keeps_the_input_size_and_classifies_any_size(string arch, int height, int width)
    {
        using var scope = NewDisposeScope();
        using var unet = ModelSpec.Segmenter(arch, 4);
        using var classifier = ModelSpec.Classifier(arch, 4, 4);
        Assert.Equal([2L, 1, height, width], unet.forward(zeros(2, 1, height, width)).shape);
        Assert.Equal([2L, 4], classifier.forward(zeros(2, 1, height, width)).shape);
    }

    [Fact]
    public void A_resnet18_at_torchvision_width_has_resnet18s_encoder_size()
    {
        using var classifier = new ResNetClassifier("resnet18", 1000, 64);
        var encoder = classifier.named_parameters().Where(p => p.name.StartsWith("encoder.")).Sum(p => p.parameter.numel());
        // torchvision's resnet18 has 11,689,512 parameters: 11,176,512 in the body with a 3-channel stem; one channel saves 6,272.
        Assert.Equal(11_176_512 - 6_272, encoder);
    }

    private static Dictionary<string, string[]> LabelRows(int images)
    {
        var random = new Random(3);
        string[][] sets = [[], [], [], ["3"], ["3"], ["1"], ["4"], ["3", "1"], ["2"]];
        return Enumerable.Range(0, images).ToDictionary(i => $"{i:x8}a.jpg", _ => sets[random.Next(sets.Length)]);
    }

    [Fact]
    public void The_validation_split_is_stratified_by_class_set_and_stable()
    {
        using var dir = new TempDirectory("split");
        var rows = LabelRows(500);
        Directory.CreateDirectory(dir.Combine("train_images"));
        File.WriteAllLines(dir.Combine("train.csv"), ["ImageId,ClassId,EncodedPixels",
            .. rows.SelectMany(r => r.Value.Select(c => $"{r.Key},{c},1 5"))]);
        foreach (var id in rows.Keys)
            File.WriteAllBytes(dir.Combine("train_images", id), []);
        var labels = TrainLabels.Load(dir.Path);

        var (train, validation) = SeverstalSet.SplitIds(labels);

        Assert.Equal(500, train.Count + validation.Count);
        Assert.Empty(train.Intersect(validation));
        foreach (var group in labels.Images.GroupBy(id => Split.ClassSet(labels, id)))
            Assert.Equal(group.Count() / 5, group.Count(validation.Contains));
        Assert.Equal(validation, SeverstalSet.SplitIds(labels).Validation);
    }

    [Fact]
    public void The_loader_stays_a_bounded_number_of_batches_ahead_and_keeps_plan_order()
    {
        var samples = Enumerable.Range(0, 40).Select(i => new Sample($"{i}", [(byte)i], new byte[]?[4])).ToList();
        var plan = EpochPlan.Create(samples.Count, 4, seed: 1, epoch: 0);
        const int firstStep = 2, capacity = 2;
        var consumed = 0;
        var aheadWhenPrepared = new System.Collections.Concurrent.ConcurrentQueue<int>();
        using var fullAhead = new SemaphoreSlim(0);
        using var loader = new BatchLoader(plan, firstStep, capacity, (indices, flips, step) =>
        {
            // Batches made before this one and not yet taken: at most `capacity` queued, plus one the consumer
            // has taken but not yet counted (Next returns after it frees the slot).
            aheadWhenPrepared.Enqueue(step - firstStep - Volatile.Read(ref consumed));
            if (step == firstStep + capacity)
                fullAhead.Release(); // the producer got this far without any batch taken: it does prepare ahead
            return new PreparedBatch(step, tensor(indices.Select(i => (float)samples[i].Pixels[0]).ToArray()), zeros(0));
        });
        Assert.True(fullAhead.Wait(TimeSpan.FromMinutes(1)), "the loader never prepared ahead"); // a signal, not a sleep

        for (var step = firstStep; step < plan.Batches.Count; step++)
        {
            using (var batch = loader.Next(step))
                Assert.Equal(plan.Batches[step].Select(i => (float)i), batch.Input.data<float>().ToArray());
            Interlocked.Increment(ref consumed);
        }
        Assert.Equal(plan.Batches.Count - firstStep, aheadWhenPrepared.Count);
        Assert.All(aheadWhenPrepared, ahead => Assert.InRange(ahead, 0, capacity + 1));
        Assert.Equal(EpochPlan.Create(40, 4, 1, 0).Flips, plan.Flips); // a pure function of (seed, epoch)
    }

    [Fact]
    public void The_cosine_schedule_warms_up_then_decays_to_its_floor_as_a_function_of_position()
    {
        var lr = new LearningRate("cosine", 0.1, Epochs: 10, WarmupEpochs: 1, MinFactor: 0.01);
        Assert.Equal(0.1 / 4, lr.At(0, 0, 4), 12);          // first of four warm-up steps
        Assert.Equal(0.1, lr.At(1, 0, 4), 12);              // warm-up done: the peak
        Assert.Equal(0.1 * (0.01 + 0.99 * 0.5), lr.At(5, 2, 4), 12); // half-way through the decay
        Assert.Equal(0.001, lr.At(10, 0, 4), 12);           // the floor
        Assert.Equal(0.1, new LearningRate("constant", 0.1, 10).At(7, 3, 4));
    }
}
