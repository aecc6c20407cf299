using Severstal.Data;
using Severstal.Models;
using Severstal.Stages;
using TorchSharp;
using static TorchSharp.torch;

namespace Severstal.Trainer.Tests;

/// <summary>The background loader changes where batches are built, not what is trained.</summary>
[Collection("torch")]
public sealed class LoaderEquivalenceTests
{
    [Fact]
    public void Training_through_the_loader_is_bit_identical_to_the_inline_loop_it_replaced()
    {
        set_num_threads(1);
        const int H = 16, W = 40;
        var samples = Enumerable.Range(0, 18).Select(i =>
        {
            var random = new Random(i);
            var pixels = new byte[H * W];
            random.NextBytes(pixels);
            var mask = pixels.Select(p => (byte)(p > 160 ? 1 : 0)).ToArray();
            return new Sample($"{i}.jpg", pixels, [null, null, i % 3 == 0 ? null : mask, null]);
        }).ToList();
        var loss = Training.SegmentationLoss(1, 1);
        // The loop as it was before the loader (commit 7850a4c): order, flips and batches built in line.
        manual_seed(1);
        var a = new UNet(2);
        var oa = optim.Adam(a.parameters(), 0.01);
        for (var epoch = 0; epoch < 2; epoch++)
        {
            manual_seed(1 * 1000L + epoch);
            a.train();
            var random = new Random(1 * 1000 + epoch);
            var order = Enumerable.Range(0, samples.Count).OrderBy(_ => random.Next()).ToList();
            for (var start = 0; start < order.Count; start += 4)
            {
                using var scope = NewDisposeScope();
                var chunk = order.Skip(start).Take(4).Select(i => samples[i]).ToList();
                var flips = Batches.RandomFlips(random, chunk.Count);
                var input = Batches.Images(chunk, H, W, flips);
                var target = Batches.Masks(chunk, 3, H, W, flips);
                oa.zero_grad();
                var v = loss(a.forward(input), target);
                v.backward();
                oa.step();
            }
        }
        // The same two epochs through SampleTrainer and its BatchLoader.
        manual_seed(1);
        var b = new UNet(2);
        var ob = optim.Adam(b.parameters(), 0.01);
        var source = new PreloadedSamples(samples, H, W);
        using var trainer = new SampleTrainer(b, ob, source, 4, 1, 2,
            (indices, flips, step) => Batches.Segmentation(source, indices, flips, step, 3, H, W), loss, _ => { });
        for (var epoch = 0; epoch < 2; epoch++)
        {
            manual_seed(1 * 1000L + epoch);
            trainer.BeginEpoch(epoch, 0);
            for (var s = 0; s < trainer.StepsPerEpoch; s++)
                trainer.Step(epoch, s);
        }
        foreach (var (name, t) in a.state_dict())
            Assert.True(t.eq(b.state_dict()[name]).all().item<bool>(), name);
    }
}
