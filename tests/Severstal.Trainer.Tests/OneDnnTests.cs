using System.Runtime.CompilerServices;
using SteelCI.Training;
using static TorchSharp.torch;

namespace Severstal.Trainer.Tests;

/// <summary>Tests train in this process, so libtorch is set up here as the trainer host sets it up.</summary>
internal static class OneDnnSetup
{
    [ModuleInitializer]
    internal static void Apply()
    {
        OneDnn.Disable();
        OneDnn.DisableNnpack();
        NativeHeap.KeepFreedMemory();
    }
}

/// <summary>
/// The cause of "seg2 and seg4 learn nothing": oneDNN's convolutions returned NaN gradients now and then on AMD Zen 5
/// (see <see cref="OneDnn"/>). With oneDNN on, these backward passes went wrong 3 to 5 times in 30 per run there, and
/// the 16x40 U-Net of ResumeTests went NaN within 15 steps; with it off, never.
/// </summary>
[Collection("torch")]
public sealed class OneDnnTests
{
    [Fact]
    public void The_trainer_host_settings_take_effect_in_libtorch_and_glibc()
    {
        Assert.False(OneDnn.Disable());
        Assert.False(OneDnn.DisableNnpack());
        Assert.True(NativeHeap.KeepFreedMemory(), "glibc refused mallopt(M_MMAP_THRESHOLD / M_TRIM_THRESHOLD)");
    }

    [Fact]
    public void Convolution_gradients_are_finite_and_bounded_at_the_demo_shapes()
    {
        Assert.False(OneDnn.Disable());
        set_num_threads(1);
        var generator = new Generator(1);
        var bad = new List<string>();
        for (var repeat = 0; repeat < 3; repeat++)
        foreach (var (height, width) in new[] { (64, 400), (64, 200), (32, 400), (64, 384), (64, 416) })
        foreach (var channels in new[] { 8, 16 })
        {
            using var scope = NewDisposeScope();
            var conv = nn.Conv2d(channels, 8, 3, padding: 1, bias: false);
            var input = randn([8, channels, height, width], generator: generator).requires_grad_(true);
            conv.forward(input).sum().backward();
            // d sum(conv(x)) / dx is a sum of at most 8 x 9 weights, each below 1/sqrt(9 x channels) by the default init.
            var largest = input.grad!.abs().max().item<float>();
            if (!float.IsFinite(largest) || largest > 8 * 9 / MathF.Sqrt(9 * channels) + 1e-3f ||
                !conv.weight!.grad!.isfinite().all().item<bool>())
                bad.Add($"{channels}x{height}x{width}: max |dx| {largest}");
        }
        Assert.True(bad.Count == 0, "convolution backward gave non-finite or impossible gradients: " + string.Join("; ", bad));
    }
}
