export { api, apiFromPreload, chooseApi, type Transport } from './bridge';
export { createWsClient, socketUrlFromLocation, type WsClient, type WsClientOptions, type SocketLike } from './ws-client';
export { WallApiError } from '../../../shared/errors';
