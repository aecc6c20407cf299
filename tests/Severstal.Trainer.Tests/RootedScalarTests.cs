using Severstal.Models;
using Severstal.Stages;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Severstal.Trainer.Tests;

/// <summary>
/// The hot path's replacements for TorchSharp code that passed implicit Scalars to libtorch (RootedAdam,
/// RootedBatchNorm2d) compute exactly what TorchSharp's did, and keep its checkpoint names.
/// </summary>
[Collection("torch")]
public sealed class RootedScalarTests
{
    [Fact]
    public void RootedAdam_takes_the_same_steps_as_TorchSharps_Adam_bit_for_bit()
    {
        set_num_threads(1);
        manual_seed(3);
        var a = new UNet(2);
        var b = new UNet(2);
        b.load_state_dict(a.state_dict());
        using var oa = optim.Adam(a.parameters(), 0.01);
        using var ob = new RootedAdam(b.parameters(), 0.01);
        var loss = Training.SegmentationLoss(1, 1);
        for (var step = 0; step < 4; step++)
        {
            using var scope = NewDisposeScope();
            manual_seed(100 + step);
            var input = randn(2, 1, 16, 40);
            var target = (rand(2, 1, 16, 40) > 0.7).to(float32);
            foreach (var (model, optimizer) in new (UNet, OptimizerHelper)[] { (a, oa), (b, ob) })
            {
                optimizer.zero_grad();
                loss(model.forward(input), target).backward();
                optimizer.step();
            }
        }
        foreach (var (name, t) in a.state_dict())
            Assert.True(t.eq(b.state_dict()[name]).all().item<bool>(), name);
    }

    [Fact]
    public void RootedBatchNorm2d_matches_BatchNorm2d_in_training_and_eval_with_the_same_names()
    {
        manual_seed(5);
        var theirs = nn.BatchNorm2d(3);
        var ours = new RootedBatchNorm2d(3);
        Assert.Equal(theirs.state_dict().Keys.Order(), ours.state_dict().Keys.Order());
        foreach (var training in new[] { true, true, false })
        {
            theirs.train(training);
            ours.train(training);
            var input = randn(4, 3, 5, 6);
            Assert.True(theirs.forward(input).eq(ours.forward(input)).all().item<bool>(), $"forward, training {training}");
        }
        foreach (var (name, t) in theirs.state_dict())
            Assert.True(t.eq(ours.state_dict()[name]).all().item<bool>(), name);
        Assert.Equal(2L, ours.num_batches_tracked!.item<long>());
    }
}
