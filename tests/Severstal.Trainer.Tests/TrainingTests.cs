using Microsoft.Extensions.Time.Testing;
using Severstal.Metrics;
using Severstal.Models;
using SteelCI.Contracts;
using SteelCI.Testing;
using SteelCI.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Severstal.Trainer.Tests;

[Collection("torch")]
public sealed class TrainingTests
{
    static TrainingTests() => set_num_threads(1);

    private static (Tensor Input, Tensor Target) Batch(int seed)
    {
        var generator = new Generator((ulong)seed);
        var input = randn([4, 1, 32, 48], generator: generator);
        return (input, (input.mean([1, 2, 3]) > 0).to(float32).reshape(4, 1));
    }

    [Fact]
    public void TorchSharp_loads_here_and_a_training_step_lowers_the_loss()
    {
        // Loading libLibTorchSharp.so at all proves the build's glibcxx fix on Debian 12 (GLIBCXX_3.4.30).
        manual_seed(1);
        using var model = new Classifier(1, 4);
        using var optimizer = optim.Adam(model.parameters(), 0.01);
        var (input, target) = Batch(1);
        var losses = new List<float>();
        for (var step = 0; step < 15; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.binary_cross_entropy_with_logits(model.forward(input), target);
            loss.backward();
            optimizer.step();
            losses.Add(loss.item<float>());
        }
        Assert.All(losses, l => Assert.True(float.IsFinite(l)));
        Assert.True(losses[^1] < losses[0] * 0.7, $"loss went from {losses[0]} to {losses[^1]}");
    }

    [Fact]
    public void The_unet_keeps_the_input_size()
    {
        using var model = new UNet(4);
        using var output = model.forward(zeros(2, 1, 32, 200));
        Assert.Equal([2L, 1, 32, 200], output.shape);
    }

    [Fact]
    public void A_checkpoint_with_a_missing_tensor_or_a_wrong_shape_is_refused_by_name()
    {
        using var dir = new TempDirectory("ckpt");
        using var small = new Classifier(1, 4);
        using var wide = new Classifier(1, 8);
        using var multi = new Classifier(4, 4);
        Checkpoint.SaveWeights(small, dir.Path);

        var shape = Assert.Throws<BadInputException>(() => Checkpoint.LoadWeights(wide, dir.Path));
        Assert.Contains("has shape [4,1,3,3], the model needs [8,1,3,3]", shape.Message);
        var head = Assert.Throws<BadInputException>(() => Checkpoint.LoadWeights(multi, dir.Path));
        Assert.Contains("head.weight", head.Message);
        Assert.Contains("model.safetensors is missing", Assert.Throws<BadInputException>(() => Checkpoint.LoadWeights(small, dir.Combine("nowhere"))).Message);

        using var same = new Classifier(1, 4);
        Checkpoint.LoadWeights(same, dir.Path);
        Assert.True(same.state_dict()["head.weight"].eq(small.state_dict()["head.weight"]).all().item<bool>());
    }

    [Fact]
    public void A_run_split_by_the_deadline_ends_bit_identical_to_an_uninterrupted_one()
    {
        using var dir = new TempDirectory("resume");
        var straight = Train(dir.Combine("straight"), resume: null, deadlineMinutes: 600);
        var first = Train(dir.Combine("part1"), resume: null, deadlineMinutes: 25);  // 10 fake minutes per epoch
        var second = Train(dir.Combine("part2"), resume: dir.Combine("part1"), deadlineMinutes: 600);

        Assert.Equal((OutputStatus.Partial, 2), (first.Status, first.Done));
        Assert.Equal((OutputStatus.Complete, 4), (second.Status, second.Done));
        foreach (var (name, tensor) in straight.Weights)
            Assert.True(tensor.eq(second.Weights[name]).all().item<bool>(), $"{name} differs after resuming");
    }

    private static (OutputStatus Status, int Done, Dictionary<string, Tensor> Weights) Train(string output, string? resume, int deadlineMinutes)
    {
        Directory.CreateDirectory(output);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero));
        var inputs = new List<StageInput>();
        var args = new List<string> { "--config", "unused", "--output", output, "--threads", "1" };
        if (resume is not null)
        {
            inputs.Add(new StageInput("steelci-resume", "steelci-resume", "tag", "k"));
            args.AddRange(["--input", $"steelci-resume={resume}"]);
        }
        var config = new StageConfig
        {
            Pipeline = "severstal", Stage = "binary", Entry = "binary", ContentKey = new string('0', 64), Epochs = 4,
            Params = new Dictionary<string, string>(), Inputs = inputs, ResumeFrom = resume is null ? null : "steelci-resume",
            TrainerHash = "t", SteelciVersion = "0.1.0",
        };
        var context = new StageContext(config, TrainerArguments.Parse(args), time, time.GetUtcNow().AddMinutes(deadlineMinutes), TextWriter.Null);
        manual_seed(7);
        var model = new Classifier(1, 4);
        var optimizer = optim.Adam(model.parameters(), 0.01);
        var (status, done) = EpochLoop.Run(context, model, optimizer, 4, seed: 7, epoch =>
        {
            for (var step = 0; step < 3; step++)
            {
                using var scope = NewDisposeScope();
                var (input, target) = Batch(epoch * 10 + step);
                optimizer.zero_grad();
                nn.functional.binary_cross_entropy_with_logits(model.forward(input + 0.1 * randn_like(input)), target).backward();
                optimizer.step();
            }
            time.Advance(TimeSpan.FromMinutes(10));
        });
        // Copies: the model is unreachable once this returns, and its finalizer disposes its own tensors.
        var weights = model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
        GC.KeepAlive(model);
        return (status, done, weights);
    }

    [Fact]
    public void The_metric_scores_empty_against_empty_as_one_and_a_false_pixel_as_zero()
    {
        byte[] empty = [0, 0, 0, 0];
        byte[] one = [0, 1, 0, 0];
        Assert.Equal(1, Dice.Pair(null, null));
        Assert.Equal(1, Dice.Pair(empty, Dice.Mask([0.1f, 0.2f, 0.3f, 0.4f], 0.5, 0)));
        Assert.Equal(0, Dice.Pair(null, one));
        Assert.Equal(2.0 / 3, Dice.Pair(one, [0, 1, 1, 0]), 9);
        Assert.Null(Dice.Mask([0.9f, 0.9f, 0.1f, 0.1f], 0.5, minArea: 3)); // too small: predicted empty
    }
}
