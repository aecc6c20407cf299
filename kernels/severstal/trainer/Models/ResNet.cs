using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Severstal.Models;

/// <summary>ResNet's basic block: two 3x3 conv/BN layers and an identity (or 1x1 conv/BN) shortcut.</summary>
public sealed class BasicBlock : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> conv1, bn1, conv2, bn2;
    private readonly Module<Tensor, Tensor>? downsample;

    public BasicBlock(int from, int to, int stride) : base(nameof(BasicBlock))
    {
        conv1 = Conv2d(from, to, 3, stride: stride, padding: 1, bias: false);
        bn1 = new RootedBatchNorm2d(to);
        conv2 = Conv2d(to, to, 3, padding: 1, bias: false);
        bn2 = new RootedBatchNorm2d(to);
        if (stride != 1 || from != to)
            downsample = Sequential(Conv2d(from, to, 1, stride: stride, bias: false), new RootedBatchNorm2d(to));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = functional.relu(bn1.forward(conv1.forward(input)));
        x = bn2.forward(conv2.forward(x));
        var shortcut = downsample is null ? input : downsample.forward(input);
        return functional.relu(x + shortcut).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// A ResNet-18/34 encoder for one grayscale channel, laid out like torchvision's (stem: 7x7 stride-2 conv, BN, ReLU,
/// 3x3 stride-2 max pool; then layer1..layer4 of basic blocks at widths w, 2w, 4w, 8w). torchvision's resnet18 is
/// w = 64; CPU tests use a few channels. Returns the stem output and the four layers' outputs (strides 2, 4, 8, 16, 32).
/// </summary>
public sealed class ResNetEncoder : Module<Tensor, Tensor[]>
{
    public static int[] Blocks(string arch) => arch switch
    {
        "resnet18" => [2, 2, 2, 2],
        "resnet34" => [3, 4, 6, 3],
        _ => throw new ArgumentException($"'{arch}' is not a ResNet (resnet18, resnet34)"),
    };

    private readonly Module<Tensor, Tensor> conv1, bn1;
    private readonly Module<Tensor, Tensor> layer1, layer2, layer3, layer4;

    public ResNetEncoder(string arch, int width) : base(nameof(ResNetEncoder))
    {
        var blocks = Blocks(arch);
        conv1 = Conv2d(1, width, 7, stride: 2, padding: 3, bias: false);
        bn1 = new RootedBatchNorm2d(width);
        layer1 = Layer(width, width, blocks[0], 1);
        layer2 = Layer(width, width * 2, blocks[1], 2);
        layer3 = Layer(width * 2, width * 4, blocks[2], 2);
        layer4 = Layer(width * 4, width * 8, blocks[3], 2);
        Widths = [width, width, width * 2, width * 4, width * 8];
        RegisterComponents();
    }

    /// <summary>Channels of the five feature maps <see cref="forward"/> returns.</summary>
    public int[] Widths { get; }

    public override Tensor[] forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var stem = functional.relu(bn1.forward(conv1.forward(input)));
        var f1 = layer1.forward(functional.max_pool2d(stem, 3, 2, 1));
        var f2 = layer2.forward(f1);
        var f3 = layer3.forward(f2);
        var f4 = layer4.forward(f3);
        Tensor[] features = [stem, f1, f2, f3, f4];
        foreach (var f in features)
            f.MoveToOuterDisposeScope();
        return features;
    }

    private static Module<Tensor, Tensor> Layer(int from, int to, int blocks, int stride) =>
        Sequential(Enumerable.Range(0, blocks).Select(i => (Module<Tensor, Tensor>)new BasicBlock(i == 0 ? from : to, to, i == 0 ? stride : 1)).ToArray());
}

/// <summary>A ResNet classifier: the encoder, average and max pooling of the last features, a linear head (logits).</summary>
public sealed class ResNetClassifier : Module<Tensor, Tensor>
{
    private readonly ResNetEncoder encoder;
    private readonly Module<Tensor, Tensor> head;

    public ResNetClassifier(string arch, int outputs, int width) : base(nameof(ResNetClassifier))
    {
        encoder = new ResNetEncoder(arch, width);
        head = Linear(width * 16, outputs);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var f = encoder.forward(input)[^1];
        var pooled = cat([functional.adaptive_avg_pool2d(f, 1).flatten(1), functional.adaptive_max_pool2d(f, [1L, 1L]).flatten(1)], 1);
        return head.forward(pooled).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// A U-Net with a ResNet encoder (as segmentation_models' Unet(resnet18/34)): five decoder blocks, each upsampling
/// x2 (to the skip's size, so any input size works), concatenating the skip and applying two conv/BN/ReLU; a 1x1
/// head gives logits [B,1,H,W] at the input size.
/// </summary>
public sealed class ResNetUNet : Module<Tensor, Tensor>
{
    private readonly ResNetEncoder encoder;
    private readonly Module<Tensor, Tensor> dec4, dec3, dec2, dec1, dec0, head;

    public ResNetUNet(string arch, int width) : base(nameof(ResNetUNet))
    {
        encoder = new ResNetEncoder(arch, width);
        var w = encoder.Widths; // stem, l1, l2, l3, l4
        int d4 = w[3], d3 = w[2], d2 = w[1], d1 = Math.Max(1, width / 2), d0 = Math.Max(1, width / 4);
        dec4 = Double(w[4] + w[3], d4);
        dec3 = Double(d4 + w[2], d3);
        dec2 = Double(d3 + w[1], d2);
        dec1 = Double(d2 + w[0], d1);
        dec0 = Double(d1, d0);
        head = Conv2d(d0, 1, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var f = encoder.forward(input);
        var x = dec4.forward(cat([Up(f[4], f[3]), f[3]], 1));
        x = dec3.forward(cat([Up(x, f[2]), f[2]], 1));
        x = dec2.forward(cat([Up(x, f[1]), f[1]], 1));
        x = dec1.forward(cat([Up(x, f[0]), f[0]], 1));
        x = dec0.forward(Up(x, input));
        return head.forward(x).MoveToOuterDisposeScope();
    }

    private static Tensor Up(Tensor x, Tensor like) =>
        functional.interpolate(x, size: [like.shape[2], like.shape[3]], mode: InterpolationMode.Nearest);

    private static Module<Tensor, Tensor> Double(int from, int to) =>
        Sequential(Conv2d(from, to, 3, padding: 1, bias: false), new RootedBatchNorm2d(to), ReLU(),
            Conv2d(to, to, 3, padding: 1, bias: false), new RootedBatchNorm2d(to), ReLU());
}
