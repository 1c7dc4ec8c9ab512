"""What the host backend deliberately does not emulate of ttnn 0.81.1's public names, and why.

tests/mock/test_dropin_api_parity.py compares the host's names (the top-level module, its
submodules, the Tensor methods) with the real package's and fails on a real name the host lacks
unless it is listed here; and on a name listed here that the host has since gained. Data, not code:
each entry is a reason and the names it covers."""

NOT_EMULATED = {
    "ttnn": {
        "ops": ("ops and helpers the Qwen3 bring-up and its op tests do not call (element-wise math, comparison, reduction, sampling, creation and data movement beyond the model's); the host emulates only what it can check against the mock",
                """
            BcastOpDim BcastOpMath BinaryOpType ChunkGdnFusedProgramConfig ChunkGdnMonoProgramConfig
            ChunkGdnPhasedProgramConfig ChunkGdnWyInverse IndexerScoreProgramConfig LossReductionMode
            MatmulMultiCoreReuseMultiCastBatchedDRAMShardedProgramConfig NdShardSpec OverlappedTensor
            PagedCacheGeometryOverride ReduceType ShardShapeAlignment SigmoidMode SoftmaxProgramConfig
            SoftmaxShardedMultiCoreProgramConfig SparseKVFormat TileReshapeMapMode abs acos acosh add_
            addalpha addcdiv addcmul addmm allocate_tensor_on_host alt_complex_rotate90 angle arange
            asin asinh assign atan atan2 atanh bcast bernoulli bias_gelu bias_gelu_ bitcast bitwise_and
            bitwise_left_shift bitwise_not bitwise_or bitwise_right_shift bitwise_xor broadcast cbrt
            ceil celu chunk clamp clamped_silu_glu clip complex_tensor conj copy
            copy_device_to_host_tensor copy_host_to_device_tensor_partial cos cosh
            create_layernorm_program_config create_sharded_memory_config_ cumprod cumsum deg2rad
            dequantize digamma div div_ div_no_nan divide divide_ element_size elu ema empty empty_like
            eq eq_ eqz erf erfc erfinv exp2 expand expm1 fill fill_ones_rm fill_rm floor floor_div fmod
            fp8_e4m3 frac from_buffer fused_rms_minimal gather gcd ge ge_ geglu gez glu gt gt_ gtz
            hardmish hardshrink hardswish hardtanh heaviside hypot i0 i1 identity imag index_fill
            index_fill_new indexed_fill int8 interleaved_to_sharded_partial is_imag is_real isclose
            isfinite isinf isnan isneginf isposinf l1_loss layernorm_default_compute_config lcm ldexp
            ldexp_ le le_ leaky_relu lerp lez lgamma load_tensor log log10 log1p log2 log_sigmoid
            logaddexp logaddexp2 logaddexp2_ logaddexp_ logical_and logical_and_ logical_left_shift
            logical_not logical_not_ logical_or logical_or_ logical_right_shift logical_xor logical_xor_
            logit lt lt_ ltz mac matmul_batched_weights max maximum mean min minimum mish move mse_loss
            mul_ multigammaln multiply_ narrow ne ne_ nextafter nez nonzero normalize_global
            normalize_hw outer pearson_correlation_coefficient plus_one polar polygamma polyval pow
            prelu prod quantize rad2deg rand randn rdiv real reciprocal reglu relu_max relu_min
            remainder repeat repeat_interleave requantize reshape_on_device reshard
            rmsnorm_default_compute_config roll rotate round rpow rsqrt rsub rsub_ sampling
            scale_causal_mask_hw_dims_softmax_in_place scale_mask_softmax scale_mask_softmax_in_place
            scatter scatter_add selu sharded_to_interleaved_partial sigmoid_accurate sign signbit sin
            sinh situ_glu snake_beta softcap softmax_in_place softplus softshrink softsign sort
            sparse_matmul split sqrt square squared_difference squared_difference_ stack std std_hw sub_
            subalpha subtract_ sum swiglu swish tan tanhshrink threshold tilize_with_val_padding
            tilize_with_zero_padding to_dtype topk tosa_gather tosa_scatter tril triu trunc
            ttnn_dtype_to_torch_dtype unary_chain uniform unsqueeze_to_4D var var_hw view where xielu
            xlogy
                """),
        "kernels": ('custom-kernel authoring (program descriptors, generic_op, circular buffers, NoC, mcast): runs device kernels the host does not emulate',
                """
            CBDescriptor CBFormatDescriptor ComputeConfigDescriptor DataMovementConfigDescriptor
            DataMovementProcessor FaceGeometry KernelDescriptor Mcast McastConfig McastCoreOrder
            McastDataReady McastExplicitFixedSenderConfig McastFixedSenderConfig
            McastRotatingSenderConfig MinimalMatmulConfig NOC NOC_MODE ProgramDescriptor
            ReaderConfigDescriptor RuntimeArgs RuntimeArgsColProxy SemaphoreDescriptor
            TensorAccessorArgs TileDescriptor UnpackToDestMode WriterConfigDescriptor
            attach_absent_mcast cb_descriptor_from_sharded_tensor composite_example
            composite_example_multiple_return compute_program_descriptor_hash generic_op
            get_allocator_base_address get_cb_address merge_program_descriptors
                """),
        "package": ("the real package's Python internals, configuration and operation registry",
                """
            CONFIG CONFIG_OVERRIDES CONFIG_PATH Config ModuleType SetRootDir
            auto_register_ttnn_cpp_operations cluster command_queue comparison config_serialization
            contextlib create_module_if_not_exists decorators experimental_loader get_fallback_function
            importlib ispkg json load_config_from_dictionary load_config_from_json_file logger
            manage_config name os pathlib pkgutil reflection register_cpp_operation
            register_post_operation_hook register_pre_operation_hook register_python_operation root_dir
            save_config_to_json_file submodule sys this_dir tile_size tools ttnn
                """),
        "devices": ('device management beyond open_device / close_device / synchronize_device (several chips, sub-devices, events, queues, raw allocator queries)',
                """
            CloseDevice CloseDevices CoreType CreateDevice CreateDevices DispatchAlgorithm
            GetDefaultDevice GetNumAvailableDevices GetNumPCIeDevices GetPCIeDeviceID QueueId
            SetDefaultDevice Size SoftmaxDefaultProgramConfig SubDevice SubDeviceId SubDeviceManagerId
            corerange_to_cores disable_asynchronous_slow_dispatch enable_asynchronous_slow_dispatch
            event_synchronize get_arch_name get_current_command_queue_id_for_thread get_device_ids
            get_dram_alignment get_l1_alignment get_max_worker_l1_unreserved_size get_num_devices
            get_num_pcie_devices get_optimal_dram_bank_to_logical_worker_assignment
            get_optimal_worker_cores_for_sharded_tensor get_pcie_device_ids grid_to_cores manual_seed
            record_event split_work_to_cores wait_for_event
                """),
        "multi_device": ('multi-device (mesh, fabric, CCL, sockets, distributed context): an n150 is one chip',
                """
            ConcatMesh2dToTensor ConcatMeshToTensor CppMeshToTensor CppTensorToMesh D2DStageGateConfig
            D2DStageGateDescriptor D2DStageGateMode D2DStreamService D2DStreamServiceReceiver
            D2DStreamServiceSender D2D_STAGE_GATE_UNGATED_SLOT D2HSocket D2HStreamService
            DistributedLayerNormStage FabricConfig FabricManagerMode FabricNodeId FabricReliabilityMode
            FabricRouterConfig FabricTensixConfig FabricType FabricUDMMode H2DMode H2DSocket
            H2DStreamService InterProcessCounterChannel LayerAckService MMSignalAggregatorMode
            McastSenderPlacement MeshComposerConfig MeshCoordinate MeshCoordinateRange
            MeshCoordinateRangeSet MeshCoreCoord MeshDevice MeshEvent MeshId MeshMapperConfig
            MeshProgramDescriptor MeshShape MeshSocket MeshToTensor PlacementReplicate
            PlacementShard Rank ReplicateTensorToMesh ReplicateTensorToMeshWrapper
            RoutedExpertActivation ShardDistributionStrategy ShardTensor2dMesh ShardTensorToMesh
            SocketConfig SocketConnection SocketEndpoint SocketMemoryConfig SubcontextId TensorToMesh
            TensorTopology Topology TransferMode UNIFIED_ROUTED_EXPERT_CORE_GRID WorkerMode
            aggregate_tensor all_broadcast all_gather all_reduce all_to_all_combine all_to_all_dispatch
            close_mesh_device combine_device_tensors compute_distribution_to_mesh_mapping
            compute_fabric_connection_rt_args concat_mesh_to_tensor_composer
            create_global_circular_buffer create_global_semaphore create_mesh_composer
            create_mesh_device create_mesh_mapper create_socket_pair disaggregation distribute
            distribute_tensor distributed distributed_context_allgather_int distributed_context_barrier
            distributed_context_get_rank distributed_context_get_size distributed_context_is_initialized
            distributed_context_local_to_world_rank distributed_context_recv_bytes
            distributed_context_send_bytes distributed_context_subcontext_count
            distributed_context_subcontext_id distributed_context_subcontext_size
            distributed_context_subcontext_sizes distributed_context_world_rank
            distributed_context_world_size dram_prefetcher fabric_connection_rt_args
            fabric_connection_rt_args_size from_host_shards get_all_fabric_mesh_ids
            get_all_mgd_fabric_types get_device_tensors get_eth_forwarding_direction get_fabric_config
            get_fabric_kernel_defines get_forwarding_link_indices get_global_semaphore_address
            get_num_links get_physical_mesh_shapes get_tt_fabric_max_payload_size_bytes
            get_tt_fabric_packet_header_size_bytes get_usable_topology init_distributed_context
            layer_norm_post_all_gather layer_norm_pre_all_gather mesh_partition moe
            moe_expert_token_remap moe_routing_remap open_mesh_device point_to_point reduce_scatter
            reduce_to_root replicate_tensor_to_mesh_mapper reset_global_semaphore_value
            rms_norm_post_all_gather rms_norm_pre_all_gather set_fabric_config setup_fabric_connection
            setup_routing_plane_connection shard_tensor_to_mesh_mapper using_distributed_env
            visualize_mesh_device visualize_system_mesh
                """),
        "vision": ('vision ops (conv, pool, upsample, image colour, group and batch norm): not in a language model',
                """
            Conv1dConfig Conv2dConfig Conv2dDRAMSliceHeight Conv2dDRAMSliceWidth Conv2dL1Full
            Conv2dL1FullSliceConfig Conv2dSliceConfig Conv3dConfig Op2DDRAMSliceHeight
            Op2DDRAMSliceWidth Op2DL1Full Op2DL1FullSliceConfig Op2DSliceConfig PaddingMode
            QkvCausalConv1dSiluProgramConfig RGBRange SlidingWindowParallelConfig YUVCoefficients
            YUVColorSpace YUVFormat YUVRange adaptive_avg_pool2d adaptive_max_pool2d avg_pool2d
            batch_norm conv1d conv2d conv_transpose2d create_group_norm_input_mask
            create_group_norm_input_negative_mask create_group_norm_weight_bias_rm
            determine_expected_group_norm_dram_grid_size
            determine_expected_group_norm_sharded_config_and_grid_size dram_group_norm_params_from_torch
            fold get_conv_output_dim get_group_norm_cores_across_channel global_avg_pool2d grid_sample
            group_norm max_pool2d prepare_conv_bias prepare_conv_transpose2d_bias
            prepare_conv_transpose2d_weights prepare_conv_weights prepare_grid_sample_grid rgb_to_yuv
            upsample yuv_bt601_coefficients yuv_bt709_coefficients
                """),
        "tools": ('profiling, reports and debugging tools of the real runtime (trace capture is modelled: tt_qwen/host/trace.py)',
                """
            DumpTensorMode LightMetalReplay ReadDeviceProfiler apply_device_delay
            dump_device_memory_state dump_operations dump_stack_trace_on_segfault dump_tensor
            get_all_programs_perf_data get_latest_programs_perf_data
            graph graph_report light_metal_begin_capture light_metal_end_capture
            operation_tracer profiler query_registered_operations set_printoptions
            stack_trace_source start_tracy_zone stop_tracy_zone test_hang_device_operation torch_tracer
            tracer tracy_frame tracy_message visualize_tensor
                """),
        "internals": ('C++ device-operation internals exposed for introspection (inputs, params, program factories)',
                """
            LayerNormDeviceOperation LayerNormInputs LayerNormMultiCoreProgramFactory LayerNormParams
            LayerNormShardedProgramFactory LayerNormType MatmulDeviceOperation MatmulInputs MatmulParams
            SliceDeviceOperation SliceInputs SliceParams SliceTileProgramFactory
            create_matmul_attributes matmul_select_program_factory
                """),
        "backward": ('backward ops (training): an inference bring-up never calls them',
                """
            abs_bw acos_bw acosh_bw add_bw addalpha_bw addcdiv_bw addcmul_bw angle_bw asin_bw asinh_bw
            assign_bw atan2_bw atan_bw atanh_bw bias_gelu_bw ceil_bw celu_bw clamp_bw clip_bw concat_bw
            conj_bw cos_bw cosh_bw deg2rad_bw digamma_bw div_bw div_no_nan_bw elu_bw embedding_bw erf_bw
            erfc_bw erfinv_bw exp2_bw exp_bw expm1_bw fill_bw fill_zero_bw floor_bw fmod_bw frac_bw
            gelu_bw hardshrink_bw hardsigmoid_bw hardswish_bw hardtanh_bw hypot_bw i0_bw imag_bw
            ldexp_bw leaky_relu_bw lerp_bw lgamma_bw log10_bw log1p_bw log2_bw log_bw log_sigmoid_bw
            logaddexp2_bw logaddexp_bw logit_bw logiteps_bw max_bw min_bw moreh_bmm_backward
            moreh_cumsum_backward moreh_dot_backward moreh_group_norm_backward moreh_layer_norm_backward
            moreh_linear_backward moreh_logsoftmax_backward moreh_matmul_backward moreh_mean_backward
            moreh_nll_loss_backward moreh_nll_loss_unreduced_backward moreh_norm_backward
            moreh_softmax_backward moreh_softmin_backward moreh_sum_backward mul_bw multigammaln_bw
            neg_bw polar_bw polygamma_bw pow_bw prod_bw rad2deg_bw rdiv_bw real_bw reciprocal_bw
            relu6_bw relu_bw remainder_bw repeat_bw round_bw rpow_bw rsqrt_bw rsub_bw selu_bw sigmoid_bw
            sign_bw silu_bw sin_bw sinh_bw softplus_bw softshrink_bw softsign_bw sqrt_bw square_bw
            squared_difference_bw sub_bw subalpha_bw tan_bw tanh_bw tanhshrink_bw threshold_bw trunc_bw
            where_bw xlogy_bw
                """),
        "moreh": ('the moreh_* training and optimizer library',
                """
            moreh_abs_pow moreh_adam moreh_adamw moreh_arange moreh_bmm moreh_clip_grad_norm
            moreh_cumsum moreh_dot moreh_fold moreh_full moreh_full_like moreh_getitem moreh_group_norm
            moreh_layer_norm moreh_linear moreh_logsoftmax moreh_matmul moreh_mean moreh_nll_loss
            moreh_norm moreh_sgd moreh_softmax moreh_softmin moreh_sum
                """),
    },
    "ttnn.experimental": {
        "model_specific": ("fused ops of other models (DeepSeek, DiT, Wan, Llama, Falcon7b, ViT, SegFormer, Boltz, MoE, GPT): not Qwen3's",
                """
            PrefetcherPipe PrefetcherPipeSpace add_shared_expert_weights apply_twiddles
            apply_twiddles_xl bluestein_fft can_use_fused_msda_from_offsets_l1_value
            create_prefetcher_pipe_space create_prefetcher_pipes_for_tensor_prefetcher deepseek
            deepseek_grouped_gate deepseek_prefill dit_layernorm_post_allgather
            dit_layernorm_pre_allgather dit_minimal_matmul_addcmul_fused dit_rms_norm_unary_fused fft
            fft_radix_pass fft_three_pass fused_msda fused_msda_from_offsets halo_scatter hc_sum_reduce
            ifft indexer_score_dsa indexer_score_msa intimg is_tensor_prefetcher_supported kda
            layer_completion llama_rs_create_heads llama_rs_matmul multi_scale_deformable_attn
            neighbor_pad_async neighbor_pad_halo nlp_concat_heads_boltz nlp_create_qkv_heads_boltz
            nlp_create_qkv_heads_falcon7b nlp_create_qkv_heads_segformer nlp_create_qkv_heads_vit
            prefix_scan quasar queue_tensor_prefetcher_request reload ring_indexer_score_dsa
            rotary_embedding_llama rotary_embedding_llama_fused_qk start_tensor_prefetcher
            stop_tensor_prefetcher tensor_prefetcher_block_count_for_matmul_1d tensor_prefetcher_matmul
            test_tensor_prefetcher_pipe_consumer test_tensor_prefetcher_pipe_validator topk_router_gpt
            wait_for_cq_on_tensor_prefetcher wan_fused_rmsnorm_post_allgather
            wan_fused_rmsnorm_pre_allgather
                """),
        "vision": ('vision ops (conv, pool, upsample, image colour, group and batch norm): not in a language model',
                """
            RGBRange YUVCoefficients YUVColorSpace YUVFormat YUVRange conv3d convert_to_chw
            convert_to_hwc prepare_conv3d_weights rgb_to_yuv yuv_bt601_coefficients
            yuv_bt709_coefficients
                """),
        "multi_device": ('multi-device (mesh, fabric, CCL, sockets, distributed context): an n150 is one chip',
                """
            all_gather_async all_gather_async_reversed all_gather_concat all_gather_matmul_async
            all_gather_minimal_matmul_async all_reduce_async all_reduce_create_qkv_heads
            all_to_all_async all_to_all_async_generic all_to_all_dispatch_metadata
            create_global_circular_buffer_for_matmul_1d
            create_global_circular_buffer_for_tensor_prefetcher deepseek_moe_fast_reduce_nc
            deepseek_moe_fast_reduce_nc_fused deepseek_moe_post_combine_tilize
            deepseek_moe_reduce_scatter disaggregation dit_fused_distributed_groupnorm
            dit_fused_distributed_groupnorm_create_stats_buffer dit_fused_distributed_layernorm
            dit_fused_distributed_layernorm_create_stats_buffer dit_fused_distributed_rmsnorm
            dit_fused_distributed_rmsnorm_create_stats_buffer fabric_mux get_moe_combine_cores
            get_moe_tilize_drain_core get_moe_worker_mcast_bounding_box high_bw_all_gather
            llama_all_gather_matmul_async llama_reduce_scatter matmul_reduce_scatter_async
            minimal_matmul_strided_reduce_scatter_async moe_compute moe_compute_utils moe_gpt
            prepare_w0_w1_tensor_for_moe_compute prepare_w2_tensor_for_moe_compute
            reduce_scatter_minimal_async reduce_scatter_minimal_async_create_intermediate_buffer
            reduce_scatter_minimal_direct reduce_scatter_minimal_direct_create_persistent_buffers
            reduce_scatter_minimal_direct_create_staging_buffer ring_attention_all_gather_async
            strided_all_gather_async strided_all_gather_minimal_matmul_async
            strided_reduce_scatter_async test_dram_prefetcher_consumer test_dram_prefetcher_validator
                """),
        "variants": ("variants of the model's ops and other experimental ops the Qwen3 bring-up does not call (the host emulates rotary_embedding, nlp_create_qkv_heads(_decode), nlp_concat_heads(_decode), paged_update_cache, paged_fill_cache)",
                """
            attn_matmul attn_matmul_from_cache broadcast_to complex_mul concatenate_heads
            create_qkv_heads create_qkv_heads_from_separate_tensors dropout fast_reduce_nc
            fast_reduce_nc_split get_weight_core_shard_maps get_weight_mem_configs group_attn_matmul
            indexed_fused_update_cache isin matmul_decode minimal_matmul minimal_matmul_split
            nlp_create_q_heads_split nlp_kv_cache_load_slice padded_slice paged_fused_update_cache
            prepare_w0_w1_tensor_with_bias prepare_w2_tensor_with_bias quantize_weights_via_host
            recv_async recv_async_h2d recv_direct_async repeat_and_interleave_eltwise_mul
            rotary_embedding_hf rotate_half selective_reduce_combine send_async send_async_d2h
            send_direct_async slice_reshard_async slice_write split_query_key_value_and_split_heads
            topk_large_indices transpose_rm typecast view
                """),
        "kernels": ('custom-kernel authoring (program descriptors, generic_op, circular buffers, NoC, mcast): runs device kernels the host does not emulate',
                """
            prepare_generic_op
                """),
    },
    "ttnn.transformer": {
        "variants": ('attention variants Qwen3 does not use (MLA, ring, joint, chunked, sparse, windowed, gated delta rule) and their helpers',
                """
            SparseKVFormat attention_softmax attention_softmax_ chunk_gated_delta_rule
            chunked_flash_mla_prefill concatenate_heads
            exp_ring_joint_scaled_dot_product_attention flash_mla_prefill
            flash_multi_latent_attention_decode fused_recurrent_gated_delta_rule gated_delta_attn_seq
            joint_scaled_dot_product_attention paged_flash_multi_latent_attention_decode
            ring_distributed_scaled_dot_product_attention ring_joint_scaled_dot_product_attention
            ring_mla sparse_sdpa sparse_sdpa_msa
                """),
    },
    "ttnn.core": {
        "tools": ('light-metal capture, print options and crash dumps: tools of the real runtime',
                """
            LightMetalReplay dump_stack_trace_on_segfault light_metal_begin_capture
            light_metal_end_capture set_printoptions
                """),
        "package": ('Python internals of the real ttnn/core.py (typing names, imported modules)',
                """
            List Optional Tuple Union math ttnn
                """),
        "devices": ('core-grid work splitting and command-queue queries of the real runtime, beyond what the host models',
                """
            create_sharded_memory_config_ get_current_command_queue_id_for_thread grid_to_cores
            split_work_to_cores
                """),
    },
    "ttnn.operations": {
        "modules": ("the real package's op-definition modules; the host defines its ops at the top level and in experimental, transformer and kv_cache",
                """
            activations binary binary_backward binary_complex ccl comparison complex_unary_backward
            conv2d creation data_movement embedding golden_common integer_golden is_pkg loader losses
            matmul module_from_spec module_name moreh normalization pkgutil pool reduction spec sys
            ternary ternary_backward transformer transformer_golden unary unary_backward unary_complex
                """),
    },
    "Tensor": {
        "internals": ('buffer addresses, page sizes, per-core allocation, shards and mesh topology: device internals the host does not expose',
                """
            buffer_address buffer_aligned_page_size buffer_num_pages buffer_page_size buffer_unique_id
            device_coords devices experimental_per_core_buffer_address extract_shard host_buffer
            is_per_core_allocated is_range_lockstep_allocated tensor_id tensor_topology
            update_tensor_topology
                """),
    },
}


def not_emulated(module: str) -> dict[str, str]:
    """{name: reason} of what the host leaves out of `module` ("ttnn", "ttnn.experimental", ..., "Tensor")."""
    return {name: reason for reason, names in NOT_EMULATED.get(module, {}).values() for name in names.split()}
