// Stop-gradient (ONERANK.md section 5). TF.js has no such op: a custom gradient that is the identity forward and
// returns zeros backward. The value is a copy, so forward numbers are exactly those of the input.
import * as tf from '@tensorflow/tfjs';

const stop = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  return { value: x.clone(), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
});

/** Identity forward, zero gradient: sg(x). */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return stop(x) as T;
}
