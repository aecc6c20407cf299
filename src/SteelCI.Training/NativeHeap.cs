using System.Runtime.InteropServices;

namespace SteelCI.Training;

/// <summary>
/// Makes glibc's malloc keep the memory libtorch frees, so the next allocation of the same size reuses it instead of
/// asking the kernel for fresh pages. Why: with oneDNN off (<see cref="OneDnn"/>), libtorch's own convolution unfolds
/// the whole batch into one buffer (im2col: batch x in-channels x 9 x H x W floats, 59 MB for the demo's 8 x 8 x 64 x
/// 400 layer, 118 MB for the first decoder layer). glibc serves anything above its mmap threshold (at most 32 MB when
/// left to itself) with a fresh mmap and returns it on free, so every convolution faulted in tens of MB anew. In a VM
/// that hands freed pages back to its host (free page reporting, as on the Firecracker machines this project is
/// developed on) each such page costs tens of microseconds: one 8 -> 8 conv at 64 x 400 took 794 ms forward + backward
/// against 67 ms with the memory kept (Severstal.Bench --layers; docs/training.md). Kept memory stays with the
/// process until it exits: its resident size is its peak, which a training process reaches every step anyway.
/// Linux with glibc only (mallopt); elsewhere nothing changes.
/// </summary>
public static class NativeHeap
{
    private const int TrimThreshold = -1; // M_TRIM_THRESHOLD: free memory at the heap's top kept up to this size
    private const int MmapThreshold = -3; // M_MMAP_THRESHOLD: allocations from this size on get their own mmap

    /// <summary>Serves allocations below 1 GiB from the heap and never trims it; returns whether glibc accepted both.</summary>
    public static bool KeepFreedMemory()
    {
        if (!OperatingSystem.IsLinux())
            return false;
        return Mallopt(MmapThreshold, 1 << 30) == 1 && Mallopt(TrimThreshold, int.MaxValue) == 1;
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int parameter, int value);
}
