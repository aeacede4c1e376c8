using System.Numerics.Tensors;

namespace CnnGen.Runtime.Training;

/// <summary>Stops training at the first non-finite loss or gradient (see <see cref="TrainingDivergedException"/>).</summary>
internal static class DivergenceCheck
{
    /// <summary>
    /// Throws if <paramref name="loss"/> or any gradient of <paramref name="network"/> is NaN or ±∞. The
    /// common case costs one vectorized sum: a finite sum means every gradient is finite (a NaN or an
    /// infinity in the input makes the sum NaN or infinite); only a non-finite sum, which finite values
    /// can also give by overflowing, is followed by a scan of each tensor.
    /// </summary>
    public static void ThrowIfDiverged(INetwork network, float loss, int step, int epoch, int batch)
    {
        ReadOnlySpan<float> gradients = network.Gradients;
        if (float.IsFinite(loss) && float.IsFinite(TensorPrimitives.Sum(gradients)))
        {
            return;
        }

        ParameterTensor? culprit = null;
        int nan = 0, infinite = 0;
        foreach (ParameterTensor tensor in network.ParameterTensors)
        {
            foreach (float value in gradients.Slice(tensor.Offset, tensor.Length))
            {
                nan += float.IsNaN(value) ? 1 : 0;
                infinite += float.IsInfinity(value) ? 1 : 0;
            }

            if (nan + infinite > 0)
            {
                culprit = tensor;
                break;
            }
        }

        if (culprit is null && float.IsFinite(loss))
        {
            return; // the sum overflowed, every value is finite
        }

        string where = culprit is null
            ? "every gradient is finite"
            : $"the first non-finite gradient is in '{culprit.Name}' ({nan} NaN and {infinite} ±∞ of its {culprit.Length} values)";
        throw new TrainingDivergedException(
            $"Training diverged at step {step} (epoch {epoch}, batch {batch}): the loss is {loss} and {where}. The optimizer step was not taken; lower the learning rate or check the data.",
            step,
            epoch,
            batch,
            loss,
            culprit?.Name);
    }
}
