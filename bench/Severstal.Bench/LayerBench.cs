using System.Diagnostics;
using System.Globalization;
using SteelCI.Training;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Severstal.Bench;

/// <summary>
/// Forward + backward time of each layer kind of the small U-Net at one shape (the demo's: batch 8, 64x400, 8
/// channels), with oneDNN on or off (<c>--layers on|off</c>) and glibc's freed memory kept or returned (<c>--heap
/// keep|default</c>, <see cref="NativeHeap"/>), to find which layers the switches slow down. Each line is
/// the median of <c>repeats</c> timed runs after warm-up; CPU time of the process over the same runs is printed too.
/// </summary>
public static class LayerBench
{
    public static int Run(bool oneDnn, bool keepHeap, int channels, int height, int width, int batch, int repeats, int threads)
    {
        set_num_threads(threads);
        var enabled = OneDnn.Set(oneDnn);
        OneDnn.DisableNnpack();
        var kept = keepHeap && NativeHeap.KeepFreedMemory();
        Console.WriteLine($"oneDNN {(enabled ? "on" : "off")}, freed native memory {(kept ? "kept" : "returned (glibc's default)")}, ONEDNN_MAX_CPU_ISA={Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA") ?? "(unset)"}, threads {threads}");
        manual_seed(1);
        int c1 = channels, c2 = channels * 2, c3 = channels * 4, c4 = channels * 8;
        var cases = new List<(string Name, Module<Tensor, Tensor> Layer, long[] Input)>
        {
            ($"conv3x3 1->{c1} @{height}x{width}", Conv2d(1, c1, 3, padding: 1, bias: false), [batch, 1, height, width]),
            ($"conv3x3 {c1}->{c1} @{height}x{width}", Conv2d(c1, c1, 3, padding: 1, bias: false), [batch, c1, height, width]),
            ($"conv3x3 {c2}->{c1} @{height}x{width}", Conv2d(c2, c1, 3, padding: 1, bias: false), [batch, c2, height, width]),
            ($"conv3x3 {c1}->{c2} @{height / 2}x{width / 2}", Conv2d(c1, c2, 3, padding: 1, bias: false), [batch, c1, height / 2, width / 2]),
            ($"conv3x3 {c3}->{c4} @{height / 8}x{width / 8}", Conv2d(c3, c4, 3, padding: 1, bias: false), [batch, c3, height / 8, width / 8]),
            ($"convT2x2 {c2}->{c1} @{height / 2}x{width / 2}", ConvTranspose2d(c2, c1, 2, stride: 2), [batch, c2, height / 2, width / 2]),
            ($"convT2x2 {c4}->{c3} @{height / 8}x{width / 8}", ConvTranspose2d(c4, c3, 2, stride: 2), [batch, c4, height / 8, width / 8]),
            ($"nearest x2 + conv3x3 {c2}->{c1} @{height / 2}x{width / 2}", Sequential(Upsample(scale_factor: [2.0, 2.0], mode: UpsampleMode.Nearest), Conv2d(c2, c1, 3, padding: 1)), [batch, c2, height / 2, width / 2]),
            ($"nearest x2 + conv1x1 {c2}->{c1} @{height / 2}x{width / 2}", Sequential(Upsample(scale_factor: [2.0, 2.0], mode: UpsampleMode.Nearest), Conv2d(c2, c1, 1)), [batch, c2, height / 2, width / 2]),
            ($"batchnorm {c1} @{height}x{width}", BatchNorm2d(c1), [batch, c1, height, width]),
            ($"maxpool2 {c1} @{height}x{width}", MaxPool2d(2), [batch, c1, height, width]),
            ($"unet small c{channels}", Severstal.Models.ModelSpec.Segmenter("small", channels), [batch, 1, height, width]),
            ($"classifier small c{channels}", Severstal.Models.ModelSpec.Classifier("small", 1, channels), [batch, 1, height, width]),
        };
        foreach (var (name, layer, shape) in cases)
        {
            layer.train();
            var input = randn(shape);
            double Once()
            {
                using var scope = NewDisposeScope();
                var x = input.detach().requires_grad_(true);
                var clock = Stopwatch.StartNew();
                layer.forward(x).square().mean().backward();
                return clock.Elapsed.TotalMilliseconds;
            }
            for (var i = 0; i < 2; i++)
                Once();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var times = Enumerable.Range(0, repeats).Select(_ => Once()).Order().ToList();
            var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / repeats;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-44} fwd+bwd median {times[repeats / 2],8:0.00} ms, cpu {cpuMs,8:0.00} ms"));
            layer.Dispose();
        }
        return 0;
    }
}
