using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Severstal.Models;

/// <summary>A small CNN classifier: four conv/BN/ReLU/pool blocks, average and max pooling, a linear head (logits).</summary>
public sealed class Classifier : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> features;
    private readonly Module<Tensor, Tensor> head;

    public Classifier(int outputs, int channels) : base(nameof(Classifier))
    {
        features = Sequential(Block(1, channels), Block(channels, channels * 2), Block(channels * 2, channels * 4), Block(channels * 4, channels * 8));
        head = Linear(channels * 16, outputs);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var f = features.forward(input);
        var pooled = cat([functional.adaptive_avg_pool2d(f, 1).flatten(1), functional.adaptive_max_pool2d(f, [1L, 1L]).flatten(1)], 1);
        return head.forward(pooled).MoveToOuterDisposeScope();
    }

    private static Module<Tensor, Tensor> Block(int from, int to) =>
        Sequential(Conv2d(from, to, 3, padding: 1, bias: false), new RootedBatchNorm2d(to), ReLU(), MaxPool2d(2));
}
