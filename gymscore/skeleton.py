"""The gymscore joint layout (17 joints) shared by GymSynth, the pose estimator adapters and the models.

Coordinates: 3D joints in metres in a right-handed world frame (x along the apparatus, y across it,
z up); 2D joints in pixels of the video frame (x right, y down).
"""

from __future__ import annotations

JOINTS: tuple[str, ...] = (
    "head",          # 0  centre of the head
    "neck",          # 1  base of the neck, between the shoulders
    "pelvis",        # 2  between the hips
    "l_shoulder",    # 3
    "r_shoulder",    # 4
    "l_elbow",       # 5
    "r_elbow",       # 6
    "l_wrist",       # 7
    "r_wrist",       # 8
    "l_hip",         # 9
    "r_hip",         # 10
    "l_knee",        # 11
    "r_knee",        # 12
    "l_ankle",       # 13
    "r_ankle",       # 14
    "l_toe",         # 15
    "r_toe",         # 16
)
NUM_JOINTS = len(JOINTS)
JOINT_INDEX = {name: i for i, name in enumerate(JOINTS)}

# Bones as (parent, child) joint indices, for drawing and for graph convolutions.
BONES: tuple[tuple[int, int], ...] = (
    (1, 0), (1, 2), (1, 3), (1, 4), (3, 5), (5, 7), (4, 6), (6, 8),
    (2, 9), (2, 10), (9, 11), (11, 13), (13, 15), (10, 12), (12, 14), (14, 16),
)

# Left/right pairs, for mirroring augmentation.
FLIP_PAIRS: tuple[tuple[int, int], ...] = ((3, 4), (5, 6), (7, 8), (9, 10), (11, 12), (13, 14), (15, 16))

# MediaPipe BlazePose (33 landmarks) -> gymscore joints. A tuple means the mean of those landmarks.
MEDIAPIPE_TO_GYM: tuple[int | tuple[int, ...], ...] = (
    0,            # head <- nose
    (11, 12),     # neck <- mean of the shoulders
    (23, 24),     # pelvis <- mean of the hips
    11, 12,       # shoulders
    13, 14,       # elbows
    15, 16,       # wrists
    23, 24,       # hips
    25, 26,       # knees
    27, 28,       # ankles
    31, 32,       # toes <- foot index
)
