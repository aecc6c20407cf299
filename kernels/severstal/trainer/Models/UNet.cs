using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Severstal.Models;

/// <summary>A three-level U-Net for one defect class: logits of shape [B,1,H,W]; H and W must divide by 8.</summary>
public sealed class UNet : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> enc1, enc2, enc3, bottom, dec3, dec2, dec1, head;
    private readonly Module<Tensor, Tensor> up3, up2, up1;

    public UNet(int channels) : base(nameof(UNet))
    {
        int c1 = channels, c2 = channels * 2, c3 = channels * 4, c4 = channels * 8;
        enc1 = Double(1, c1);
        enc2 = Double(c1, c2);
        enc3 = Double(c2, c3);
        bottom = Double(c3, c4);
        up3 = ConvTranspose2d(c4, c3, 2, stride: 2);
        dec3 = Double(c4, c3);
        up2 = ConvTranspose2d(c3, c2, 2, stride: 2);
        dec2 = Double(c3, c2);
        up1 = ConvTranspose2d(c2, c1, 2, stride: 2);
        dec1 = Double(c2, c1);
        head = Conv2d(c1, 1, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var e1 = enc1.forward(input);
        var e2 = enc2.forward(functional.max_pool2d(e1, 2));
        var e3 = enc3.forward(functional.max_pool2d(e2, 2));
        var b = bottom.forward(functional.max_pool2d(e3, 2));
        var d3 = dec3.forward(cat([up3.forward(b), e3], 1));
        var d2 = dec2.forward(cat([up2.forward(d3), e2], 1));
        var d1 = dec1.forward(cat([up1.forward(d2), e1], 1));
        return head.forward(d1).MoveToOuterDisposeScope();
    }

    private static Module<Tensor, Tensor> Double(int from, int to) =>
        Sequential(Conv2d(from, to, 3, padding: 1, bias: false), new RootedBatchNorm2d(to), ReLU(),
            Conv2d(to, to, 3, padding: 1, bias: false), new RootedBatchNorm2d(to), ReLU());
}
