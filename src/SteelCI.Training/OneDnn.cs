using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace SteelCI.Training;

/// <summary>
/// Turns off oneDNN (mkldnn), libtorch's optional CPU convolution library, so convolutions run on libtorch's own
/// kernels (im2col + GEMM). Why: on the AMD EPYC (Zen 5) machines this project is developed on, libtorch 2.10's oneDNN
/// convolutions return NaN or garbage gradients now and then, a different step on every run, even with one thread:
/// 3 to 5 of 10 backward passes at 8x8x64x400 with its AVX-512 kernels; capped at AVX2 (ONEDNN_MAX_CPU_ISA) a
/// 16x40 U-Net still went NaN within 15 steps in one of two runs. The forward pass of a one-input-channel first
/// convolution also turned finite input into all-NaN output now and then, more often the more the garbage collector
/// ran (consistent with a kernel reading memory it never wrote). Without oneDNN: none in any run. One NaN step turns
/// every weight NaN, and a NaN segmenter ends at "predict nothing": that is why seg2 and seg4 scored exactly their
/// all-empty Dice. CUDA convolutions do not go through oneDNN, so this changes nothing on a GPU.
/// TorchSharp has no binding for the switch (<c>torch.backends.mkldnn.enabled</c> in Python), so this calls
/// <c>at::globalContext().setUserEnabledMkldnn(false)</c> in libtorch_cpu by its Itanium-ABI name; a libtorch
/// without that symbol fails here, by name, rather than training on a kernel that may corrupt it.
/// </summary>
public static class OneDnn
{
    /// <summary>Disables oneDNN for this process; returns whether it is still enabled (false once this worked).</summary>
    public static bool Disable() => Set(false);

    /// <summary>Turns oneDNN on or off for this process; returns whether it is enabled afterwards.</summary>
    public static bool Set(bool enabled)
    {
        _ = get_num_threads(); // loads TorchSharp's native libraries, so the import below binds to the same libtorch_cpu
        var context = GlobalContext();
        SetUserEnabledMkldnn(context, enabled);
        return UserEnabledMkldnn(context);
    }

    /// <summary>
    /// Turns off libtorch's attempt to use NNPACK for each convolution; returns whether it is still enabled. With
    /// oneDNN off, libtorch asks whether NNPACK is available before every convolution, and on a CPU NNPACK does not
    /// support it logs "Could not initialize NNPACK! Reason: Unsupported hardware." each time (hundreds of lines per
    /// epoch in a stage's log). NNPACK would only be used for batches of 16 or more anyway.
    /// </summary>
    public static bool DisableNnpack()
    {
        _ = get_num_threads();
        var context = GlobalContext();
        SetUserEnabledNnpack(context, false);
        return UserEnabledNnpack(context);
    }

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr GlobalContext();

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static extern void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport("libtorch_cpu", EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool UserEnabledMkldnn(IntPtr context);

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static extern void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport("libtorch_cpu", EntryPoint = "_ZNK2at7Context17userEnabledNNPACKEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool UserEnabledNnpack(IntPtr context);
}
